/**
 * The value a record holds under `key` itself, never one every object inherits: a column named
 * `constructor` or a test named `toString` must not find Object.prototype's members.
 */
export function ownValue<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

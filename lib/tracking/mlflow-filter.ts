/** A string literal of MLflow's search-filter syntax: single-quoted, inner quotes escaped. */
export function quoted(value: string): string {
  return `'${value.replace(/'/g, "\\'")}'`;
}

/** `tags.\`key\` = 'value'`: runs carrying the tag with exactly this value. */
export function tagEquals(key: string, value: string): string {
  return `tags.\`${key}\` = ${quoted(value)}`;
}

/** The MongoDB condition of a time window (undefined: no bounds). */
export function timeBounds(from?: Date, until?: Date): Record<string, Date> | undefined {
  if (!from && !until) return undefined;
  return { ...(from ? { $gte: from } : {}), ...(until ? { $lte: until } : {}) };
}

/** Whether a time lies in the window (a missing time lies in no bounded window). */
export function within(time: Date | null, from?: Date, until?: Date): boolean {
  if (!from && !until) return true;
  if (!time) return false;
  return (!from || time >= from) && (!until || time <= until);
}

/**
 * A report made at most once every `everyMs`: while an outage fails every attempt the same way, one
 * line per interval says so instead of one per attempt. The first call reports; a call within
 * `everyMs` of the last report is dropped. Returns whether this call reported.
 */
export function throttledReport<Args extends unknown[]>(
  everyMs: number,
  report: (...args: Args) => void,
  now: () => number = () => Date.now(),
): (...args: Args) => boolean {
  let last: number | undefined;
  return (...args) => {
    const at = now();
    if (last !== undefined && at - last < everyMs) return false;
    last = at;
    report(...args);
    return true;
  };
}

/**
 * Credentials never leave the process in a printed or logged URL: `redis://:secret@host` is shown
 * as `redis://***@host`. The one helper for every place a URL is printed, logged or put in an error.
 */

// scheme://userinfo@, up to the last '@' before the path (a password may hold a raw '@').
const USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/"'<>]+@/gi;

/** A URL, or any text holding URLs (an error message, a log line), with every `user:password@` masked. */
export function redactUrls(text: string): string {
  return text.replace(USERINFO, '$1***@');
}

import { createHash, timingSafeEqual } from 'node:crypto';

export type KeyCheck = 'ok' | 'missing' | 'wrong' | 'disabled';

const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks a presented admin key against the configured one in constant time: both are hashed
 * first, so neither their content nor their length shows in how long the comparison takes.
 */
export function adminKeyChecker(expected: string | undefined): (presented: string | undefined) => KeyCheck {
  const wanted = expected ? digest(expected) : undefined;
  return (presented) => {
    if (!wanted) return 'disabled';
    if (!presented) return 'missing';
    return timingSafeEqual(digest(presented), wanted) ? 'ok' : 'wrong';
  };
}

/** The key from `x-api-key`, or `Authorization: Bearer <key>`. */
export function presentedKey(headers: Record<string, string | string[] | undefined>): string | undefined {
  const direct = headers['x-api-key'];
  if (typeof direct === 'string' && direct !== '') return direct;
  const authorization = headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (match) return match[1];
  }
  return undefined;
}

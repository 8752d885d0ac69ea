import { MIN_API_KEY_LENGTH } from './api-defaults';
import { redactUrls } from './redact';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Throws a ConfigError unless the value is a URL of one of the protocols. */
export function validateUrl(name: string, value: string, protocols: string[]): void {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name}="${redactUrls(value)}" is not a URL (expected ${protocols.join(' or ')}…)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name}="${redactUrls(value)}" must start with ${protocols.join(' or ')}`);
  }
}

/** An admin key long enough not to be guessed, and not the example configuration's placeholder. */
export function checkAdminKey(key: string): void {
  if (/change-?me|example|placeholder/i.test(key)) {
    throw new ConfigError(
      `MLOPS_API_KEY is still a placeholder ("${key.slice(0, 12)}…"): set a random key (openssl rand -hex 24), or leave it unset to turn the admin routes off`,
    );
  }
  if (key.length < MIN_API_KEY_LENGTH) {
    throw new ConfigError(
      `MLOPS_API_KEY has ${key.length} characters, fewer than ${MIN_API_KEY_LENGTH}: use a random key (openssl rand -hex 24)`,
    );
  }
}

/* Parsers of one environment variable each (zod), with their defaults and messages. */
import { z } from 'zod';

export const optionalText = z
  .string()
  .transform((value) => value.trim())
  .optional()
  .transform((value) => (value ? value : undefined));

/** A number from an env var: `fallback` when unset or blank, else it must pass `valid` (said as `expected`). */
const numberVar = (fallback: number, valid: (value: number) => boolean, expected: string) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      if (value === undefined || value.trim() === '') return fallback;
      const parsed = Number(value);
      if (!valid(parsed)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected ${expected}, got "${value}"` });
        return z.NEVER;
      }
      return parsed;
    });

export const positiveInt = (fallback: number) =>
  numberVar(fallback, (value) => Number.isInteger(value) && value > 0, 'a positive integer');
export const nonNegativeNumber = (fallback: number) =>
  numberVar(fallback, (value) => Number.isFinite(value) && value >= 0, 'a number ≥ 0');

const TRUE_WORDS = ['1', 'true', 'yes', 'on'];
const FALSE_WORDS = ['0', 'false', 'no', 'off'];

/** A yes/no env var: `fallback` when unset or blank; true/false, yes/no, on/off or 1/0 otherwise. */
export const booleanVar = (fallback: boolean) =>
  z
    .string()
    .optional()
    .transform((value, ctx) => {
      const word = value?.trim().toLowerCase() ?? '';
      if (word === '') return fallback;
      if (TRUE_WORDS.includes(word)) return true;
      if (FALSE_WORDS.includes(word)) return false;
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected true or false, got "${value}"` });
      return z.NEVER;
    });

/** API_TRUST_PROXY: false/true, a number of proxy hops, or comma-separated addresses and CIDRs. */
export const trustProxyVar = z
  .string()
  .optional()
  .transform((value): boolean | number | string[] => {
    const text = value?.trim() ?? '';
    const word = text.toLowerCase();
    if (text === '' || FALSE_WORDS.includes(word)) return false;
    if (word === 'true' || word === 'yes' || word === 'on') return true;
    if (/^\d+$/.test(text)) return Number(text);
    return text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '');
  });

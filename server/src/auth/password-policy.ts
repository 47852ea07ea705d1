import { readFileSync } from 'node:fs';

/**
 * Password rules in the spirit of NIST SP 800-63B (5.1.1.2): a length range, no check of
 * character classes, and a refusal of passwords that are known to be common or that are
 * made from the account's own details.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 256;

export type PasswordReason = 'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'REPETITIVE' | 'ACCOUNT_DETAILS';

export interface PasswordProblem {
  reason: PasswordReason;
  message: string;
}

/**
 * The 10,000 most common passwords (Mark Burnett's list, as shipped by the `common-password`
 * npm package; ISC). Read from the source tree from both `src/auth` and `dist/auth`, which
 * sit at the same depth. See `common-passwords.NOTICE.md`.
 */
const LIST_FILE = new URL('../../src/auth/common-passwords.txt', import.meta.url);

let common: ReadonlySet<string> | undefined;

function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    readFileSync(LIST_FILE, 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter(Boolean),
  );
  return common;
}

/** The first rule `password` breaks for an account with this email and name, or null. */
export function passwordProblem(password: string, account: { email: string; name: string }): PasswordProblem | null {
  // Characters as a person counts them (code points), not UTF-16 units.
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) {
    return { reason: 'TOO_SHORT', message: `password must have at least ${PASSWORD_MIN_LENGTH} characters` };
  }
  if (length > PASSWORD_MAX_LENGTH) {
    return { reason: 'TOO_LONG', message: `password must have at most ${PASSWORD_MAX_LENGTH} characters` };
  }
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) {
    return { reason: 'COMMON', message: 'password is one of the 10,000 most common passwords; choose one that is harder to guess' };
  }
  if (new Set(lower).size === 1) {
    return { reason: 'REPETITIVE', message: 'password repeats a single character; choose one that is harder to guess' };
  }
  const email = account.email.trim().toLowerCase();
  const localPart = email.slice(0, email.lastIndexOf('@'));
  const name = account.name.trim().toLowerCase();
  const trimmed = lower.trim();
  if ([email, localPart, name, name.replace(/\s+/g, '')].some((detail) => detail.length > 0 && trimmed === detail)) {
    return { reason: 'ACCOUNT_DETAILS', message: 'password must not be your email address, the part of it before the @, or your name' };
  }
  return null;
}

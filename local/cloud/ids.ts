// Identifiers that look like AWS's: the account, request ids, and the random
// hex suffixes of ARNs and resource ids (i-…, subnet-…, lt-…).
import { randomBytes, randomUUID } from 'node:crypto';

export const ACCOUNT_ID = '123456789012';

/** `length` random lower-case hex characters. */
export function hexId(length: number): string {
  return randomBytes(Math.ceil(length / 2)).toString('hex').slice(0, length);
}

export function requestId(): string {
  return randomUUID();
}

// Marker/NextToken pagination: an opaque token that encodes the offset of the next page.
import { AwsError } from './aws-error.ts';

export function paginate<T>(items: T[], token: string | undefined, pageSize: number, invalidTokenCode: string): { page: T[]; next?: string } {
  let offset = 0;
  if (token) {
    offset = Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/, ''));
    if (!Number.isInteger(offset) || offset < 0) throw new AwsError(invalidTokenCode, `The token '${token}' is invalid`);
  }
  const page = items.slice(offset, offset + pageSize);
  const nextOffset = offset + page.length;
  return nextOffset < items.length ? { page, next: Buffer.from(`offset:${nextOffset}`).toString('base64url') } : { page };
}

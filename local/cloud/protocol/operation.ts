// One API operation of an emulated service: the SDK's own operation schema
// (it tells the codecs how the request is encoded and how to write the
// answer) and the handler, typed with the SDK's input and output types.
import type { StaticOperationSchema } from '@smithy/types';

export interface Operation {
  readonly name: string;
  readonly schema: StaticOperationSchema;
  handle(input: unknown): unknown;
}

/** The answer type of an SDK command, without the metadata the SDK adds. */
export type Answer<T> = Omit<T, '$metadata'>;

export function operation<I, O>(schema: StaticOperationSchema, handle: (input: I) => O | Promise<O>): Operation {
  return { name: schema[2], schema, handle: (input) => handle(input as I) };
}

export function operationTable(operations: Operation[]): ReadonlyMap<string, Operation> {
  return new Map(operations.map((op) => [op.name, op]));
}

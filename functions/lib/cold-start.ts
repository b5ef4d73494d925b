// The Lambda entry point of a handler module, built from the environment on
// the first invocation of a container and kept for the next ones. Importing a
// module therefore has no side effects (tests and tools import its
// `createHandler`); a missing or invalid configuration fails every invocation,
// before the event is looked at, with the message naming the variable or field.
import type { Context } from 'aws-lambda';

export type LambdaHandler<E, R> = (event: E, context: Context) => Promise<R>;

export function builtOnFirstCall<E, R>(build: () => LambdaHandler<E, R>): LambdaHandler<E, R> {
  let handler: LambdaHandler<E, R> | undefined;
  return async (event, context) => {
    handler ??= build();
    return handler(event, context);
  };
}

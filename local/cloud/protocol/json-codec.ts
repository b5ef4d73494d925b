// AWS JSON 1.0 as CloudWatch speaks it (awsQueryCompatible), driven by the
// SDK's schemas: timestamps travel as epoch seconds; an error carries its
// Query-era code in `x-amzn-query-error: Code;Sender`, which the SDK prefers
// over `__type` when it picks the exception.
import { NormalizedSchema } from '@smithy/core/schema';
import type { StaticOperationSchema } from '@smithy/types';
import { AwsError } from '../aws-error.ts';

/** Parses a request body into the operation's input shape (timestamps become Dates). */
export function readJsonInput(operation: StaticOperationSchema, body: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = body.trim() === '' ? {} : JSON.parse(body);
  } catch {
    throw new AwsError('SerializationException', 'Request body is not valid JSON');
  }
  return (readValue(NormalizedSchema.of(operation[4]), parsed, '') ?? {}) as Record<string, unknown>;
}

function readValue(ns: NormalizedSchema, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return undefined;
  if (ns.isStructSchema()) {
    if (typeof value !== 'object') throw new AwsError('SerializationException', `${path || 'body'} must be an object`);
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      if (record[name] !== undefined) out[name] = readValue(member, record[name], path ? `${path}.${name}` : name);
    }
    return out;
  }
  if (ns.isListSchema()) {
    if (!Array.isArray(value)) throw new AwsError('SerializationException', `${path} must be a list`);
    return value.map((v, i) => readValue(ns.getValueSchema(), v, `${path}[${i}]`));
  }
  if (ns.isMapSchema()) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, readValue(ns.getValueSchema(), v, `${path}.${k}`)]));
  }
  if (ns.isTimestampSchema()) {
    const date = typeof value === 'number' ? new Date(value * 1000) : typeof value === 'string' ? new Date(value) : new Date(NaN);
    if (Number.isNaN(date.getTime())) throw new AwsError('SerializationException', `${path} must be a timestamp`);
    return date;
  }
  return value;
}

/** Serializes an answer: Dates as epoch seconds, members checked against the schema. */
export function writeJsonOutput(operation: StaticOperationSchema, output: unknown): string {
  const ns = NormalizedSchema.of(operation[5]);
  return JSON.stringify(ns.isStructSchema() ? writeValue(ns, output ?? {}, operation[2]) : {});
}

function writeValue(ns: NormalizedSchema, value: unknown, path: string): unknown {
  if (value === undefined || value === null) return undefined;
  if (ns.isStructSchema()) {
    const record = value as Record<string, unknown>;
    const members = ns.getMemberSchemas();
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(record)) {
      if (v === undefined) continue;
      const member = members[key];
      if (!member) throw new Error(`${path}.${key} is not a member of ${ns.getName() ?? 'the output'}`);
      out[key] = writeValue(member, v, `${path}.${key}`);
    }
    return out;
  }
  if (ns.isListSchema()) return (value as unknown[]).map((v, i) => writeValue(ns.getValueSchema(), v, `${path}[${i}]`));
  if (ns.isMapSchema()) {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, writeValue(ns.getValueSchema(), v, `${path}.${k}`)]));
  }
  if (ns.isTimestampSchema()) {
    if (!(value instanceof Date)) throw new Error(`${path}: expected a Date`);
    return value.getTime() / 1000;
  }
  return value;
}

/** Body and headers of a failed call. */
export function writeJsonError(error: AwsError, namespace: string): { body: string; headers: Record<string, string> } {
  return {
    body: JSON.stringify({ __type: `${namespace}#${error.code}`, message: error.message }),
    headers: { 'x-amzn-query-error': `${error.code};${error.type}` },
  };
}

// The AWS Query protocol (ELBv2, Auto Scaling) and its EC2 dialect, driven by
// the SDK's own schemas: a request form is read back into the SDK's input
// shape, an answer is written as the XML the SDK's deserializer reads (element
// names from `xmlName`, lists wrapped in `member`/`item` unless flattened).
import { NormalizedSchema } from '@smithy/core/schema';
import type { StaticOperationSchema } from '@smithy/types';
import { AwsError } from '../aws-error.ts';

export interface QueryDialect {
  /** The service's XML namespace, e.g. `http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/`. */
  xmlNamespace: string;
  /** EC2: capitalized keys, flattened lists, no `…Result` wrapper, `<Response><Errors>` errors. */
  ec2: boolean;
}

interface FormNode {
  value?: string;
  children: Map<string, FormNode>;
}

/** Reads a Query request form (without Action and Version) into the operation's input shape. */
export function readQueryInput(operation: StaticOperationSchema, form: URLSearchParams, dialect: QueryDialect): Record<string, unknown> {
  const root: FormNode = { children: new Map() };
  for (const [key, value] of form) {
    if (key === 'Action' || key === 'Version') continue;
    let node = root;
    for (const part of key.split('.')) {
      let child = node.children.get(part);
      if (!child) node.children.set(part, (child = { children: new Map() }));
      node = child;
    }
    node.value = value;
  }
  const input = readValue(NormalizedSchema.of(operation[4]), root, dialect.ec2, '');
  return (input ?? {}) as Record<string, unknown>;
}

function readValue(ns: NormalizedSchema, node: FormNode, ec2: boolean, path: string): unknown {
  if (ns.isStructSchema()) {
    const out: Record<string, unknown> = {};
    for (const [name, member] of ns.structIterator()) {
      const child = node.children.get(queryKey(name, member, ec2));
      if (child) out[name] = readValue(member, child, ec2, path ? `${path}.${name}` : name);
    }
    return out;
  }
  if (ns.isListSchema()) {
    const item = ns.getValueSchema();
    const flat = ec2 || !!ns.getMergedTraits().xmlFlattened;
    const holder = flat ? node : node.children.get(listItemKey(item, ec2));
    return indexed(holder).map((child, i) => readValue(item, child, ec2, `${path}[${i}]`));
  }
  if (ns.isMapSchema()) {
    const flat = !!ns.getMergedTraits().xmlFlattened;
    const out: Record<string, unknown> = {};
    for (const entry of indexed(flat ? node : node.children.get('entry'))) {
      const key = entry.children.get('key')?.value;
      const value = entry.children.get('value');
      if (key !== undefined && value) out[key] = readValue(ns.getValueSchema(), value, ec2, `${path}.${key}`);
    }
    return out;
  }
  return readScalar(ns, node.value ?? '', path);
}

function readScalar(ns: NormalizedSchema, raw: string, path: string): unknown {
  if (ns.isBooleanSchema()) return raw === 'true';
  if (ns.isNumericSchema()) {
    const n = Number(raw);
    if (raw === '' || Number.isNaN(n)) throw new AwsError('ValidationError', `Value '${raw}' at '${path}' failed to satisfy constraint: Member must be a number`);
    return n;
  }
  if (ns.isTimestampSchema()) {
    const date = /^\d+(\.\d+)?$/.test(raw) ? new Date(Number(raw) * 1000) : new Date(raw);
    if (Number.isNaN(date.getTime())) throw new AwsError('ValidationError', `Value '${raw}' at '${path}' failed to satisfy constraint: Member must be a timestamp`);
    return date;
  }
  return raw;
}

/** The children of a list node in index order (`1`, `2`, …). */
function indexed(node: FormNode | undefined): FormNode[] {
  if (!node) return [];
  return [...node.children.entries()]
    .filter(([k]) => /^\d+$/.test(k))
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([, child]) => child);
}

function queryKey(name: string, member: NormalizedSchema, ec2: boolean): string {
  const traits = member.getMergedTraits();
  if (ec2 && typeof traits.ec2QueryName === 'string') return traits.ec2QueryName;
  const key = typeof traits.xmlName === 'string' ? traits.xmlName : name;
  return ec2 ? key.charAt(0).toUpperCase() + key.slice(1) : key;
}

function listItemKey(item: NormalizedSchema, ec2: boolean): string {
  const traits = item.getMergedTraits();
  if (ec2 && typeof traits.ec2QueryName === 'string') return traits.ec2QueryName;
  return typeof traits.xmlName === 'string' ? traits.xmlName : 'member';
}

/** The XML answer of a successful call. */
export function writeQueryOutput(operation: StaticOperationSchema, output: unknown, dialect: QueryDialect, requestId: string): string {
  const name = operation[2];
  const ns = NormalizedSchema.of(operation[5]);
  const body = ns.isStructSchema() ? writeMembers(ns, output ?? {}, name) : '';
  if (dialect.ec2) {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<${name}Response xmlns="${dialect.xmlNamespace}"><requestId>${requestId}</requestId>${body}</${name}Response>`;
  }
  const result = ns.isStructSchema() ? `<${name}Result>${body}</${name}Result>` : '';
  return `<${name}Response xmlns="${dialect.xmlNamespace}">${result}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${name}Response>`;
}

/** The XML answer of a failed call, in the shape the SDK reads the error code from. */
export function writeQueryError(error: AwsError, dialect: QueryDialect, requestId: string): string {
  const code = escapeXml(error.code);
  const message = escapeXml(error.message);
  if (dialect.ec2) {
    return `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${code}</Code><Message>${message}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`;
  }
  return `<ErrorResponse xmlns="${dialect.xmlNamespace}"><Error><Type>${error.type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
}

function writeMembers(ns: NormalizedSchema, value: unknown, path: string): string {
  if (typeof value !== 'object' || value === null) throw new Error(`${path}: expected an object for ${ns.getName() ?? 'structure'}`);
  const record = value as Record<string, unknown>;
  const members = ns.getMemberSchemas();
  for (const key of Object.keys(record)) {
    if (!(key in members) && record[key] !== undefined) throw new Error(`${path}.${key} is not a member of ${ns.getName() ?? 'the output'}`);
  }
  let xml = '';
  for (const [name, member] of ns.structIterator()) {
    const v = record[name];
    if (v === undefined || v === null) continue;
    const traits = member.getMemberTraits();
    const element = typeof traits.xmlName === 'string' ? traits.xmlName : name;
    if (member.isListSchema() && member.getMergedTraits().xmlFlattened) {
      for (const item of asArray(v, `${path}.${name}`)) xml += writeElement(member.getValueSchema(), item, element, `${path}.${name}`);
    } else {
      xml += writeElement(member, v, element, `${path}.${name}`);
    }
  }
  return xml;
}

function writeElement(ns: NormalizedSchema, value: unknown, element: string, path: string): string {
  if (ns.isStructSchema()) return `<${element}>${writeMembers(ns, value, path)}</${element}>`;
  if (ns.isListSchema()) {
    const item = ns.getValueSchema();
    const itemElement = typeof item.getMergedTraits().xmlName === 'string' ? (item.getMergedTraits().xmlName as string) : 'member';
    const items = asArray(value, path).map((v, i) => writeElement(item, v, itemElement, `${path}[${i}]`));
    return `<${element}>${items.join('')}</${element}>`;
  }
  if (ns.isMapSchema()) {
    const entries = Object.entries(value as Record<string, unknown>).map(
      ([k, v]) => `<entry><key>${escapeXml(k)}</key>${writeElement(ns.getValueSchema(), v, 'value', `${path}.${k}`)}</entry>`,
    );
    return `<${element}>${entries.join('')}</${element}>`;
  }
  return `<${element}>${escapeXml(scalarText(ns, value, path))}</${element}>`;
}

function scalarText(ns: NormalizedSchema, value: unknown, path: string): string {
  if (ns.isTimestampSchema()) {
    if (!(value instanceof Date)) throw new Error(`${path}: expected a Date`);
    return value.toISOString();
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`${path}: expected a scalar, got ${typeof value}`);
}

function asArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new Error(`${path}: expected an array`);
  return value;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

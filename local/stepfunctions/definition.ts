// A state machine definition as written: `${Placeholder}` substitution (what
// DefinitionSubstitutions does in the template), parsing, validation with
// asl-validator, and the states it holds, nested ones included.
import { createRequire } from 'node:module';
import { InvalidDefinition } from '@aws-sdk/client-sfn';
import { apiError } from './api-errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** One state of a definition, as loosely typed as the JSON it comes from. */
export type AslState = Record<string, unknown> & { Type: string };

export interface AslDefinition {
  StartAt: string;
  States: Record<string, AslState>;
  TimeoutSeconds?: number;
  [field: string]: unknown;
}

export type SubstitutionValue = string | number | boolean;

type AslValidator = (
  definition: unknown,
  options?: { checkArn?: boolean; checkPaths?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

const PLACEHOLDER = /\$\{([A-Za-z0-9_]+)\}/g;

/** Definition texts asl-validator accepted: it builds its JSON schemas anew on each call (over 100 ms). */
const validTexts = new Set<string>();

/**
 * Replaces each `${Name}` in the definition text. Strings are inserted JSON-escaped
 * (they sit inside a JSON string), numbers and booleans as they are. A placeholder
 * without a value is an error naming it.
 */
export function substitutePlaceholders(text: string, values: Record<string, SubstitutionValue>): string {
  const missing = new Set<string>();
  const result = text.replace(PLACEHOLDER, (match, name: string) => {
    const value = values[name];
    if (value === undefined) {
      missing.add(name);
      return match;
    }
    return typeof value === 'string' ? JSON.stringify(value).slice(1, -1) : String(value);
  });
  if (missing.size > 0) {
    throw apiError(InvalidDefinition, `definitionSubstitutions: no value for ${[...missing].map((n) => `\${${n}}`).join(', ')}`);
  }
  return result;
}

/** Parses and validates (asl-validator); errors are `InvalidDefinition` listing every problem. */
export function parseDefinition(text: string): AslDefinition {
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    throw apiError(InvalidDefinition, `definition: not JSON: ${(error as Error).message}`);
  }
  if (!validTexts.has(text)) {
    // On a copy: asl-validator writes a QueryLanguage into every state it checks.
    const { isValid, errorsText } = aslValidator(structuredClone(definition), { checkArn: true, checkPaths: true });
    if (!isValid) throw apiError(InvalidDefinition, `definition: ${errorsText('; ')}`);
    validTexts.add(text);
  }
  return definition as AslDefinition;
}

/**
 * Every state by name, those inside Parallel branches and Map processors too.
 * Names are unique in the whole machine (asl-validator checks it, as AWS does): local handlers are keyed by them.
 */
export function collectStates(definition: Pick<AslDefinition, 'States'>): Map<string, AslState> {
  const states = new Map<string, AslState>();
  const visit = (machine: Pick<AslDefinition, 'States'>) => {
    for (const [name, state] of Object.entries(machine.States)) {
      states.set(name, state);
      for (const nested of nestedMachines(state)) visit(nested);
    }
  };
  visit(definition);
  return states;
}

/** The sub-machines of a Parallel (Branches) or Map (ItemProcessor, or the older Iterator) state. */
export function nestedMachines(state: AslState): Pick<AslDefinition, 'States' | 'StartAt'>[] {
  if (state.Type === 'Parallel') return state.Branches as AslDefinition[];
  if (state.Type === 'Map') return [(state.ItemProcessor ?? state.Iterator) as AslDefinition];
  return [];
}

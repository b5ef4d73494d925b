// Rule conditions: validated against ALB's limits and stored in the form
// DescribeRules answers. Emulated fields: http-header, path-pattern,
// host-header, http-request-method.
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { validationError } from '../aws-error.ts';
import { LIMITS } from './limits.ts';

const MAX_VALUE_LENGTH = 128;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/;
const REPEATABLE = new Set(['http-header']);

export function normalizeConditions(conditions: RuleCondition[] | undefined): RuleCondition[] {
  if (!conditions?.length) throw validationError('A rule must have at least one condition');
  const seen = new Set<string>();
  const normalized = conditions.map((c, i) => {
    const field = c.Field ?? '';
    if (seen.has(field) && !REPEATABLE.has(field)) throw validationError(`Conditions[${i}]: a rule can have only one '${field}' condition`);
    seen.add(field);
    return normalizeCondition(c, `Conditions[${i}]`);
  });
  const values = normalized.flatMap(valuesOf);
  if (values.length > LIMITS.conditionValuesPerRule) throw validationError(`A rule can only have '${LIMITS.conditionValuesPerRule}' condition values, got ${values.length}`);
  const wildcards = values.filter((v) => /[*?]/.test(v)).length;
  if (wildcards > LIMITS.conditionWildcardsPerRule) throw validationError(`A rule can only have '${LIMITS.conditionWildcardsPerRule}' wildcards, got ${wildcards}`);
  return normalized;
}

function normalizeCondition(c: RuleCondition, path: string): RuleCondition {
  switch (c.Field) {
    case 'http-header': {
      const name = c.HttpHeaderConfig?.HttpHeaderName ?? '';
      if (!HEADER_NAME.test(name)) throw validationError(`${path}.HttpHeaderConfig.HttpHeaderName must be a header name of 1 to 40 characters, got '${name}'`);
      if (name.toLowerCase() === 'host') throw validationError(`${path}: use a host-header condition to match the Host header`);
      return { Field: 'http-header', HttpHeaderConfig: { HttpHeaderName: name, Values: checkValues(c.HttpHeaderConfig?.Values, `${path}.HttpHeaderConfig.Values`) } };
    }
    case 'path-pattern': {
      const values = checkValues(c.PathPatternConfig?.Values ?? c.Values, `${path}.PathPatternConfig.Values`);
      return { Field: 'path-pattern', Values: values, PathPatternConfig: { Values: values } };
    }
    case 'host-header': {
      const values = checkValues(c.HostHeaderConfig?.Values ?? c.Values, `${path}.HostHeaderConfig.Values`);
      return { Field: 'host-header', Values: values, HostHeaderConfig: { Values: values } };
    }
    case 'http-request-method': {
      const values = checkValues(c.HttpRequestMethodConfig?.Values, `${path}.HttpRequestMethodConfig.Values`);
      for (const v of values) if (!/^[A-Z_-]{1,40}$/.test(v)) throw validationError(`${path}: '${v}' is not a valid HTTP request method`);
      return { Field: 'http-request-method', HttpRequestMethodConfig: { Values: values } };
    }
    default:
      throw validationError(`${path}.Field: the local cloud emulates http-header, path-pattern, host-header and http-request-method conditions, not '${c.Field ?? ''}'`);
  }
}

function checkValues(values: string[] | undefined, path: string): string[] {
  if (!values?.length) throw validationError(`${path} must have at least one value`);
  for (const v of values) {
    if (v.length === 0 || v.length > MAX_VALUE_LENGTH) throw validationError(`${path}: each value must be 1 to ${MAX_VALUE_LENGTH} characters, got ${v.length}`);
  }
  return [...values];
}

function valuesOf(c: RuleCondition): string[] {
  return c.HttpHeaderConfig?.Values ?? c.PathPatternConfig?.Values ?? c.HostHeaderConfig?.Values ?? c.HttpRequestMethodConfig?.Values ?? [];
}

// The README's configuration reference says what functions/core/config.ts
// accepts, and services.json, the example it documents, is accepted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config.ts';
import { README, renderConfigReference, withReference } from '../../scripts/config-reference.ts';
import { projectRoot } from './package-stack.ts';

describe('the configuration reference', () => {
  it('in README.md is the one config.ts generates (run `npm run config-reference` after changing config.ts)', () => {
    const readme = readFileSync(README, 'utf8');

    expect(readme).toBe(withReference(readme, renderConfigReference()));
  });

  it('lists every field a service accepts, the example services.json included', () => {
    const reference = renderConfigReference();
    const example = JSON.parse(readFileSync(join(projectRoot, 'services.json'), 'utf8')) as { services: Record<string, unknown>[] };

    const fieldsOf = (value: unknown, prefix: string): string[] =>
      typeof value === 'object' && value !== null && !Array.isArray(value)
        ? Object.entries(value).flatMap(([k, v]) => [`${prefix}.${k}`, ...fieldsOf(v, `${prefix}.${k}`)])
        : [];
    const used = example.services.flatMap((s) => fieldsOf(s, 'services[]'));

    expect(used.length).toBeGreaterThan(40);
    for (const field of used) expect(reference, field).toContain(`| \`${field}\` |`);
  });

  it('documents an example that config.ts accepts, with every strategy and a cross-account service', () => {
    const config = parseConfig(JSON.parse(readFileSync(join(projectRoot, 'services.json'), 'utf8')));

    expect(new Set(config.services.map((s) => s.strategy.type))).toEqual(new Set(['blue-green', 'header-canary', 'weighted-canary']));
    expect(config.services.some((s) => s.roleArn)).toBe(true);
    expect(config.services.some((s) => !s.roleArn)).toBe(true);
  });
});

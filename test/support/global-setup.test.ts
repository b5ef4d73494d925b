// No silent skips: in CI, a suite whose AWS emulator is missing refuses to
// run instead of reporting its skipped tests beside the passes.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import setup from './global-setup.ts';

describe('the suite global setup', () => {
  const saved = { CI: process.env.CI, PATH: process.env.PATH };
  afterEach(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  /** A PATH on which python3 exists but cannot import moto. */
  function pathWithoutMoto(): string {
    const dir = mkdtempSync(join(tmpdir(), 'no-moto-'));
    writeFileSync(join(dir, 'python3'), '#!/bin/sh\nexit 1\n');
    chmodSync(join(dir, 'python3'), 0o755);
    return `${dir}:${saved.PATH}`;
  }

  it('refuses to run in CI without moto, saying how to install it', () => {
    process.env.CI = 'true';
    process.env.PATH = pathWithoutMoto();

    expect(() => setup()).toThrow(/CI=true and moto is not installed.*pip install 'moto\[server\]/);
  });

  it('runs outside CI without moto (its tests skip with a warning)', () => {
    delete process.env.CI;
    process.env.PATH = pathWithoutMoto();

    expect(() => setup()).not.toThrow();
  });
});

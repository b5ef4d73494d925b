// The benchmark's smoke run: one tiny iteration of each figure, end to end
// (local cloud, workflow, baselines, bundles, handlers, scale), in a
// temporary directory. It proves `npm run bench` works and its results file
// has every figure; the figures themselves come from the full run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../../bench/results.ts';

const root = resolve(import.meta.dirname, '../..');
const out = mkdtempSync(join(tmpdir(), 'bluegreen-bench-smoke-'));

describe('bench/run.ts --smoke', () => {
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('measures every figure once and writes results.json, results.md and results.svg', () => {
    // Prepare / Act
    const run = spawnSync(process.execPath, [join(root, 'bench', 'run.ts'), '--smoke', '--out', out], { cwd: root, encoding: 'utf8', timeout: 150_000 });

    // Assess
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('done in');
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as BenchResults;
    expect(results.mode).toBe('smoke');
    expect(results.machine.nproc).toBeGreaterThan(0);

    const ours = results.zeroDowntime.rows.filter((r) => r.kind === 'bluegreen');
    expect(ours.map((r) => r.switch)).toEqual(['blue-green']);
    for (const row of ours) {
      expect(row.before.requests).toBeGreaterThan(0);
      expect(row.during.requests).toBeGreaterThan(0);
      expect(row.before.failed + row.launch.failed + row.during.failed + row.after.failed).toBe(0);
    }
    const baselines = results.zeroDowntime.rows.filter((r) => r.kind === 'baseline');
    expect(baselines.map((r) => r.switch).sort()).toEqual(['naive', 'stop-then-start']);
    // A baseline that loses nothing would mean the load does not see a switch at all.
    expect(baselines.find((r) => r.switch === 'stop-then-start')!.during.failed).toBeGreaterThan(0);

    const [warm] = results.rollback.rows;
    expect(warm).toMatchObject({ retention: 'warm', listenerWrites: 1 });
    expect(results.deploymentCost.rows.map((r) => r.strategy)).toEqual(['blue-green', 'header-canary', 'weighted-canary']);
    for (const row of results.deploymentCost.rows) {
      expect(row.stateTransitions).toBeGreaterThan(0);
      expect(row.ownMs).toBeLessThan(row.wallMs);
      expect(row.priceUsd).toBeCloseTo(row.stateTransitions * 0.000025, 9);
    }
    expect(results.entryPoints.bundles.map((b) => b.function)).toEqual(['webhook', 'slack', 'alarm', 'step']);
    expect(results.entryPoints.handlers).toHaveLength(2);
    expect(results.scale.rows).toEqual([expect.objectContaining({ services: 3, succeeded: 3 })]);
    expect(results.targets.length).toBeGreaterThan(0);

    expect(readFileSync(join(out, 'results.md'), 'utf8')).toContain('## 5. Scale');
    expect(readFileSync(join(out, 'results.svg'), 'utf8')).toMatch(/^<svg /);
  }, 160_000); // about a minute on 2 cores
});

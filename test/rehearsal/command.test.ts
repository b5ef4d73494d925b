// `bluegreen rehearse --json --report FILE`, the way `npm start` runs it
// (instances as real processes): stdout carries only the report, progress
// goes to stderr, the HTML page holds the chart.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../cli/main.ts';

describe('bluegreen rehearse', () => {
  it('--json prints only the report; --report writes the chart; progress goes to stderr', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const out: string[] = [];
    const err: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: {}, localFile: join(dir, 'local.json') };

    const code = await run(['rehearse', '--strategy', 'blue-green', '--scenario', 'happy', '--time-scale', '0.02', '--rps', '30', '--json', '--report', join(dir, 'report.html')], io);

    expect(code).toBe(0);
    const report = JSON.parse(out.join('')) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(
      ['apiCalls', 'appErrors', 'byVersion', 'durationMs', 'failed', 'latencyMs', 'requests', 'rollback', 'scenario', 'stateTransitions', 'strategy', 'timeline', 'versionsSeen'].sort(),
    );
    expect(report).toMatchObject({ strategy: 'blue-green', scenario: 'happy', failed: 0, rollback: null, versionsSeen: ['1.0.0', '2.0.0'] });
    expect((report.apiCalls as Record<string, Record<string, number>>).elasticloadbalancing?.ModifyListener).toBeGreaterThan(0);
    expect(err.join('')).toContain('shift to 2.0.0');
    const html = readFileSync(join(dir, 'report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('No failed request');
    expect(html).toContain('1.0.0 → 2.0.0');
  }, 60_000);

  it('refuses an unknown strategy, naming the flag, before starting anything', async () => {
    const err: string[] = [];
    const code = await run(['rehearse', '--strategy', 'rolling'], { stdout: () => {}, stderr: (t) => void err.push(t), env: {} });
    expect(code).toBe(2);
    expect(err.join('')).toContain('--strategy must be one of blue-green, header-canary, weighted-canary');
  });
});

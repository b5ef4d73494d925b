// The rehearsal's report: the JSON users and tests read, and a self-contained
// HTML page with the picture a person looks at to believe it: share of
// traffic by version over time, errors, and the phases marked.
import type { Sample } from './load.ts';

export interface RehearsalReport {
  strategy: string;
  scenario: string;
  requests: number;
  failed: number;
  appErrors: number;
  byVersion: Record<string, number>;
  timeline: Array<{ phase: string; atMs: number }>;
  /** From the alarm's state change to traffic back on the good release; `routedAtMs` is since the start. */
  rollback: { trigger: string; detectToRoutedMs: number; routedAtMs: number } | null;
  apiCalls: Record<string, Record<string, number>>;
  stateTransitions: number;
  latencyMs: { p50: number; p99: number };
  /** Versions in the order the load first saw them. */
  versionsSeen: string[];
  durationMs: number;
}

const COLORS = ['#4e79a7', '#59a14f', '#f28e2b', '#b07aa1', '#76b7b2', '#edc948'];
const BIN_MS = 500;

export function renderHtml(report: RehearsalReport, samples: readonly Sample[]): string {
  const width = 960;
  const height = 320;
  const pad = { left: 48, right: 16, top: 16, bottom: 36 };
  const end = Math.max(report.durationMs, ...samples.map((s) => s.at), 1);
  const bins = Math.max(1, Math.ceil(end / BIN_MS));
  const versions = report.versionsSeen;
  const counts = Array.from({ length: bins }, () => ({ total: 0, failed: 0, appErrors: 0, byVersion: new Map<string, number>() }));
  for (const s of samples) {
    const bin = counts[Math.min(bins - 1, Math.floor(s.at / BIN_MS))]!;
    bin.total++;
    if (s.kind === 'failed') bin.failed++;
    if (s.kind === 'appError') bin.appErrors++;
    if (s.version) bin.byVersion.set(s.version, (bin.byVersion.get(s.version) ?? 0) + 1);
  }
  const x = (ms: number) => pad.left + (ms / end) * (width - pad.left - pad.right);
  const y = (share: number) => pad.top + (1 - share) * (height - pad.top - pad.bottom);

  // Stacked areas: each version's share of the answers in each bin.
  const areas = versions.map((version, vi) => {
    const below = (bin: (typeof counts)[number]) => versions.slice(0, vi).reduce((sum, v) => sum + (bin.byVersion.get(v) ?? 0), 0) / (bin.total || 1);
    const top = counts.map((bin, i) => `${x(i * BIN_MS).toFixed(1)},${y(below(bin) + (bin.byVersion.get(version) ?? 0) / (bin.total || 1)).toFixed(1)}`);
    const bottom = counts.map((bin, i) => `${x(i * BIN_MS).toFixed(1)},${y(below(bin)).toFixed(1)}`).reverse();
    return `<polygon points="${[...top, ...bottom].join(' ')}" fill="${COLORS[vi % COLORS.length]}" fill-opacity="0.85"><title>${escape(version)}</title></polygon>`;
  });
  const errors = counts.flatMap((bin, i) => [
    ...(bin.appErrors ? [`<rect x="${x(i * BIN_MS).toFixed(1)}" y="${y(bin.appErrors / (bin.total || 1)).toFixed(1)}" width="3" height="${(y(0) - y(bin.appErrors / (bin.total || 1))).toFixed(1)}" fill="#e15759"><title>${bin.appErrors} app errors</title></rect>`] : []),
    ...(bin.failed ? [`<rect x="${x(i * BIN_MS).toFixed(1)}" y="${pad.top}" width="3" height="${height - pad.top - pad.bottom}" fill="#000"><title>${bin.failed} failed</title></rect>`] : []),
  ]);
  // Phases are numbered on the chart and named in the table below it: names would overlap.
  const phases = report.timeline.map(
    (p, i) =>
      `<line x1="${x(p.atMs).toFixed(1)}" x2="${x(p.atMs).toFixed(1)}" y1="${pad.top}" y2="${height - pad.bottom}" stroke="#333" stroke-dasharray="3,3"><title>${escape(p.phase)}</title></line>` +
      `<text x="${(x(p.atMs) + 2).toFixed(1)}" y="${pad.top + 11 + (i % 3) * 11}" font-size="10">${i + 1}</text>`,
  );
  const ticks = Array.from({ length: 11 }, (_, i) => (end / 10) * i).map(
    (ms) => `<text x="${x(ms).toFixed(1)}" y="${height - pad.bottom + 16}" font-size="11" text-anchor="middle">${(ms / 1000).toFixed(0)}s</text>`,
  );
  const legend = versions.map((v, i) => `<span style="background:${COLORS[i % COLORS.length]}"></span>${escape(v)}`).join(' ');
  const rows = (obj: Record<string, unknown>) =>
    Object.entries(obj)
      .map(([k, v]) => `<tr><th>${escape(k)}</th><td>${escape(typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v))}</td></tr>`)
      .join('');

  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>bluegreen rehearsal: ${escape(report.strategy)} / ${escape(report.scenario)}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}
table{border-collapse:collapse;margin-top:12px}th,td{text-align:left;padding:3px 10px;border-bottom:1px solid #ddd;vertical-align:top}
.legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:middle}
.verdict{font-size:16px;font-weight:600;color:${report.failed === 0 ? '#2a7a2a' : '#b00'}}
</style></head><body>
<h1>Rehearsal: ${escape(report.strategy)}, scenario ${escape(report.scenario)}</h1>
<p class="verdict">${report.failed === 0 ? 'No failed request' : `${report.failed} failed requests`} out of ${report.requests}; versions seen in order: ${escape(versions.join(' → '))}</p>
<p class="legend">Share of answers by version${legend}<span style="background:#f4f4f4;border:1px solid #ccc"></span>answers naming no version (404 to <code>x-client-mode: green</code> outside a canary)<span style="background:#e15759"></span>app errors (injected)<span style="background:#000"></span>failed</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="traffic share by version over time">
<rect x="${pad.left}" y="${pad.top}" width="${width - pad.left - pad.right}" height="${height - pad.top - pad.bottom}" fill="#f4f4f4"/>
${areas.join('\n')}
${errors.join('\n')}
${phases.join('\n')}
${ticks.join('\n')}
<text x="8" y="${y(1) + 4}" font-size="11">100%</text><text x="20" y="${y(0)}" font-size="11">0%</text>
</svg>
<table>${rows({
    requests: report.requests,
    failed: report.failed,
    appErrors: report.appErrors,
    byVersion: report.byVersion,
    'latency p50 / p99 (ms)': `${report.latencyMs.p50} / ${report.latencyMs.p99}`,
    rollback: report.rollback ?? 'none',
    'state transitions': report.stateTransitions,
    'duration (s)': (report.durationMs / 1000).toFixed(1),
  })}</table>
<h2>Phases</h2><table>${report.timeline.map((p, i) => `<tr><th>${i + 1}</th><td>${(p.atMs / 1000).toFixed(1)}s</td><td>${escape(p.phase)}</td></tr>`).join('')}</table>
<h2>AWS API calls</h2><table>${rows(report.apiCalls)}</table>
</body></html>
`;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

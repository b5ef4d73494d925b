// bench/results.svg: p99 latency before, during and after the switch, per
// strategy and baseline, one group per load rate; failed requests under each
// bar group.
import type { ZeroDowntimeRow } from './zero-downtime.ts';

const WINDOWS = ['before', 'during', 'after'] as const;
const COLORS = { before: '#8da0cb', during: '#fc8d62', after: '#66c2a5' };
const BAR = 9;
const GAP = 14;
const GROUP_GAP = 36;
const PLOT_HEIGHT = 220;
const TOP = 40;
const LEFT = 50;

export function renderChart(rows: readonly ZeroDowntimeRow[]): string {
  const rates = [...new Set(rows.map((r) => r.rps))];
  const switches = [...new Set(rows.map((r) => r.switch))];
  const max = Math.max(1, ...rows.flatMap((r) => WINDOWS.map((w) => r[w].p99)));
  const slot = WINDOWS.length * BAR + GAP;
  const groupWidth = switches.length * slot;
  const width = LEFT + rates.length * (groupWidth + GROUP_GAP) + 20;
  const height = TOP + PLOT_HEIGHT + 135;
  const y = (ms: number) => TOP + PLOT_HEIGHT - (ms / max) * PLOT_HEIGHT;
  const parts: string[] = [];

  parts.push(`<text x="${LEFT}" y="20" font-size="13" font-weight="bold">p99 latency (ms) before / during / after the switch; failed requests (whole run) below each group</text>`);
  for (const tick of [0, max / 2, max]) {
    parts.push(`<line x1="${LEFT - 4}" x2="${width - 10}" y1="${y(tick)}" y2="${y(tick)}" stroke="#ddd"/>`);
    parts.push(`<text x="${LEFT - 8}" y="${y(tick) + 4}" font-size="10" text-anchor="end">${Math.round(tick)}</text>`);
  }
  rates.forEach((rps, g) => {
    const x0 = LEFT + g * (groupWidth + GROUP_GAP);
    parts.push(`<text x="${x0 + groupWidth / 2}" y="${height - 12}" font-size="12" text-anchor="middle" font-weight="bold">${rps} rps</text>`);
    switches.forEach((name, s) => {
      const row = rows.find((r) => r.rps === rps && r.switch === name);
      if (!row) return;
      const xs = x0 + s * slot;
      WINDOWS.forEach((w, i) => {
        const top = y(row[w].p99);
        parts.push(`<rect x="${xs + i * BAR}" y="${top}" width="${BAR - 1}" height="${TOP + PLOT_HEIGHT - top}" fill="${COLORS[w]}"><title>${name} ${rps} rps ${w}: p99 ${row[w].p99} ms</title></rect>`);
      });
      const failed = row.before.failed + row.launch.failed + row.during.failed + row.after.failed;
      const label = TOP + PLOT_HEIGHT + 12;
      parts.push(`<text x="${xs + (WINDOWS.length * BAR) / 2}" y="${label}" font-size="9" text-anchor="middle" fill="${failed > 0 ? '#c00' : '#070'}">${failed}</text>`);
      parts.push(
        `<text transform="translate(${xs + (WINDOWS.length * BAR) / 2 + 3},${label + 8}) rotate(60)" font-size="9"${row.kind === 'baseline' ? ' font-style="italic"' : ''}>${name}</text>`,
      );
    });
  });
  WINDOWS.forEach((w, i) => {
    parts.push(`<rect x="${width - 190 + i * 60}" y="28" width="10" height="10" fill="${COLORS[w]}"/><text x="${width - 176 + i * 60}" y="37" font-size="10">${w}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

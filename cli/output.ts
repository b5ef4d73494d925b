// Text formatting shared by the commands: aligned tables, JSON, durations
// and times. Nothing here knows about deployments.

/** Rows as aligned columns (two spaces apart), each line indented; trailing blanks trimmed. */
export function table(rows: string[][], indent = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => `${indent}${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ')}`.trimEnd());
}

export function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Lines joined, ending with a newline. */
export function text(lines: string[]): string {
  return `${lines.join('\n')}\n`;
}

/** `950ms`, `42s`, `12m 3s`, `2h 5m`, `3d 4h`. */
export function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const units: Array<[string, number]> = [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ];
  const parts: string[] = [];
  let rest = s;
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    rest -= n * size;
    if (n > 0 || parts.length > 0) parts.push(`${n}${unit}`);
    if (parts.length === 2) break;
  }
  return parts.filter((p) => !p.startsWith('0')).join(' ');
}

/** `in 23h 59m` or `5m ago`, from `now`. */
export function relative(iso: string, now: number): string {
  const delta = Date.parse(iso) - now;
  return delta >= 0 ? `in ${duration(delta)}` : `${duration(-delta)} ago`;
}

/** An ISO time without milliseconds: `2025-05-01T10:00:00Z`. */
export function time(iso: string | number | Date): string {
  return new Date(iso).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The time of day in UTC: `10:04:59`. */
export function clock(at: string | number | Date): string {
  return new Date(at).toISOString().slice(11, 19);
}

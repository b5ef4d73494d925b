// `bluegreen history <service>`: past deployments, rebuilt from the store's
// history events (started, queued, superseded, signal, abort-requested,
// finished; redelivered changes nothing), grouped by execution, newest first.
import type { HistoryEvent, Outcome } from '../../functions/adapters/store.ts';
import { flag, numberValue, type Command } from '../command.ts';
import { duration, json, table, text, time } from '../output.ts';
import { JSON_OPTION, TABLE_OPTION, TARGET_OPTIONS } from '../options.ts';
import { openSession } from '../session.ts';

export interface DeploymentRecord {
  executionName: string;
  version: string | null;
  /** Who asked for it: `github:<login>`, `cli:<user>`… */
  by: string | null;
  requestedAt: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** `running` while started and not finished; `queued` / `superseded` when it never started. */
  outcome: Outcome | 'running' | 'queued' | 'superseded';
  durationMs: number | null;
  releaseNumber: number | null;
  /** Why it failed, or why it was superseded. */
  reason: string | null;
  signals: Array<{ action: string; by: string; at: string; reason: string }>;
}

/** History events read per deployment asked for: a deployment records a handful. */
const EVENTS_PER_DEPLOYMENT = 10;

export const history: Command = {
  name: 'history',
  summary: 'past deployments: versions, who, when, outcome, durations',
  description: [
    'Lists the most recent deployments of the service from the store, newest first: version, who asked for it',
    '(push, CLI, queue), when it was requested, started and finished, its outcome (succeeded, rolled-back, aborted,',
    'failed, not-started, lost; running, queued or superseded), how long it took, and every promote / rollback /',
    'abort it received and from whom.',
  ].join('\n'),
  args: [{ name: 'service', description: 'a configured service' }],
  options: {
    limit: { type: 'string', value: 'N', description: 'how many deployments, 1 to 100 (default 10)' },
    ...JSON_OPTION,
    ...TARGET_OPTIONS,
    ...TABLE_OPTION,
  },
  async run(line, io) {
    const limit = numberValue(line, 'limit', { min: 1, max: 100, fallback: 10, integer: true });
    const session = openSession(line, io);
    const service = session.service(line.args.service!);
    const events = await session.store().history(service.name, limit * EVENTS_PER_DEPLOYMENT);
    const records = deploymentRecords(events).slice(0, limit);
    io.stdout(flag(line, 'json') ? json({ service: service.name, deployments: records }) : renderHistory(service.name, records));
    return 0;
  },
};

/** Events newest first → one record per execution, the most recently active first. */
function deploymentRecords(events: HistoryEvent[]): DeploymentRecord[] {
  const records = new Map<string, DeploymentRecord>();
  for (const event of [...events].reverse()) {
    if (!event.executionName) continue; // step events: listener changes, not deployments
    if (event.kind === 'redelivered') continue; // the request arrived again: the deployment it names is unchanged
    const at = event.at ?? null;
    const r = records.get(event.executionName) ?? newRecord(event.executionName);
    records.delete(event.executionName); // re-inserted last: Map order is then most recent activity last
    records.set(event.executionName, r);
    r.version ??= event.version ?? null;
    r.releaseNumber ??= event.releaseNumber ?? null;
    switch (event.kind) {
      case 'queued':
        r.by ??= event.by;
        r.requestedAt ??= at;
        if (r.outcome === 'running' && !r.startedAt) r.outcome = 'queued';
        break;
      case 'started':
        r.by ??= event.by;
        r.requestedAt ??= at;
        r.startedAt = at;
        if (r.outcome === 'queued') r.outcome = 'running';
        break;
      case 'superseded':
        r.outcome = 'superseded';
        r.reason = event.reason ?? null;
        break;
      case 'signal':
      case 'abort-requested':
        r.signals.push({ action: event.action ?? 'abort', by: event.by, at: at ?? '', reason: event.reason ?? '' });
        break;
      case 'finished':
        r.outcome = event.outcome ?? r.outcome;
        r.finishedAt = at;
        r.durationMs = event.durationMs ?? r.durationMs;
        r.reason = event.reason ?? r.reason;
        break;
      case 'step':
        break;
    }
  }
  for (const r of records.values()) {
    if (r.durationMs === null && r.startedAt && r.finishedAt) r.durationMs = Date.parse(r.finishedAt) - Date.parse(r.startedAt);
  }
  return [...records.values()].reverse();
}

function newRecord(executionName: string): DeploymentRecord {
  return {
    executionName,
    version: null,
    by: null,
    requestedAt: null,
    startedAt: null,
    finishedAt: null,
    outcome: 'running',
    durationMs: null,
    releaseNumber: null,
    reason: null,
    signals: [],
  };
}

function renderHistory(service: string, records: DeploymentRecord[]): string {
  if (records.length === 0) return text([`${service}: no deployments recorded`]);
  const lines = [`${service}: ${records.length} most recent deployment(s), newest first`];
  const rows = [['REQUESTED', 'VERSION', 'BY', 'OUTCOME', 'DURATION', 'RELEASE', 'EXECUTION']];
  const details = new Map<number, string[]>();
  records.forEach((r, i) => {
    rows.push([
      r.requestedAt ? time(r.requestedAt) : '-',
      r.version ?? '-',
      r.by ?? '-',
      r.outcome,
      r.durationMs !== null ? duration(r.durationMs) : '-',
      r.releaseNumber !== null ? String(r.releaseNumber) : '-',
      r.executionName,
    ]);
    details.set(i + 1, [
      ...r.signals.map((s) => `      ${s.action} by ${s.by} at ${s.at ? time(s.at) : '?'}${s.reason ? `: ${s.reason}` : ''}`),
      ...(r.reason ? [`      ${r.reason}`] : []),
    ]);
  });
  table(rows).forEach((row, i) => lines.push(row, ...(details.get(i) ?? [])));
  return text(lines);
}

// CloudWatch metric data: samples per metric (namespace, name, exact
// dimension set), kept in small time buckets so any window can be summarized
// (count, sum, min, max, and every value for percentiles). A namespace may be
// published: its samples reach CloudWatch as one datapoint per resolution
// interval, stamped with the interval's start and visible only `delayMs`
// after the interval ends (how Elastic Load Balancing sends its metrics).

export interface MetricIdentity {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

export interface WindowSamples {
  count: number;
  sum: number;
  min: number;
  max: number;
  values: number[];
}

/** How a namespace's samples reach CloudWatch, in real milliseconds. */
export interface Publication {
  resolutionMs: number;
  delayMs: number;
}

interface Series {
  identity: MetricIdentity;
  unit?: string;
  buckets: Map<number, WindowSamples>;
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  private readonly bucketMs: number;
  private readonly retentionMs: number;
  private readonly publication: (namespace: string) => Publication | undefined;
  private puts = 0;

  /**
   * `bucketMs`: time resolution of stored samples; `retentionMs`: how long samples are kept (real time);
   * `publication`: how a namespace's samples become visible (undefined: each at once, at `bucketMs`).
   */
  constructor(bucketMs: number, retentionMs: number, publication: (namespace: string) => Publication | undefined = () => undefined) {
    this.bucketMs = bucketMs;
    this.retentionMs = retentionMs;
    this.publication = publication;
  }

  put(identity: MetricIdentity, value: number, timestampMs = Date.now(), unit?: string): void {
    this.putSamples(identity, { count: 1, sum: value, min: value, max: value, values: [value] }, timestampMs, unit);
  }

  /** Adds pre-aggregated samples (PutMetricData `StatisticValues`, `Values`/`Counts`). */
  putSamples(identity: MetricIdentity, samples: WindowSamples, timestampMs = Date.now(), unit?: string): void {
    const key = seriesKey(identity);
    let series = this.series.get(key);
    if (!series) this.series.set(key, (series = { identity: { ...identity, dimensions: { ...identity.dimensions } }, unit, buckets: new Map() }));
    const index = Math.floor(timestampMs / this.bucketMs);
    const bucket = series.buckets.get(index);
    if (bucket) merge(bucket, samples);
    else series.buckets.set(index, { ...samples, values: [...samples.values] });
    if (++this.puts % 10_000 === 0) this.prune(Date.now() - this.retentionMs);
  }

  /** Samples with timestamps in [startMs, endMs); undefined when there are none (missing data). */
  window(identity: MetricIdentity, startMs: number, endMs: number): WindowSamples | undefined {
    const series = this.series.get(seriesKey(identity));
    if (!series) return undefined;
    const first = Math.floor(startMs / this.bucketMs);
    const last = Math.ceil(endMs / this.bucketMs) - 1;
    let out: WindowSamples | undefined;
    const add = (bucket: WindowSamples) => {
      if (!out) out = { count: 0, sum: 0, min: Infinity, max: -Infinity, values: [] };
      merge(out, bucket);
    };
    if (last - first + 1 < series.buckets.size) {
      for (let i = first; i <= last; i++) {
        const bucket = series.buckets.get(i);
        if (bucket) add(bucket);
      }
    } else {
      for (const [i, bucket] of series.buckets) if (i >= first && i <= last) add(bucket);
    }
    return out;
  }

  /**
   * What CloudWatch shows at `nowMs` for datapoints stamped in [startMs, endMs): for a published namespace,
   * the intervals that start in the range and were published by `nowMs`; otherwise every sample in the range.
   */
  visible(identity: MetricIdentity, startMs: number, endMs: number, nowMs: number): WindowSamples | undefined {
    const publication = this.publication(identity.namespace);
    if (!publication) return this.window(identity, startMs, endMs);
    const { resolutionMs, delayMs } = publication;
    let out: WindowSamples | undefined;
    for (let at = Math.ceil(startMs / resolutionMs) * resolutionMs; at < endMs && at + resolutionMs + delayMs <= nowMs; at += resolutionMs) {
      const interval = this.window(identity, at, at + resolutionMs);
      if (!interval) continue;
      if (!out) out = { count: 0, sum: 0, min: Infinity, max: -Infinity, values: [] };
      merge(out, interval);
    }
    return out;
  }

  /** Every metric with data, optionally of one namespace. */
  list(namespace?: string): MetricIdentity[] {
    return [...this.series.values()].map((s) => s.identity).filter((m) => !namespace || m.namespace === namespace);
  }

  private prune(beforeMs: number): void {
    const oldest = Math.floor(beforeMs / this.bucketMs);
    for (const series of this.series.values()) {
      for (const index of series.buckets.keys()) if (index < oldest) series.buckets.delete(index);
    }
  }
}

function merge(into: WindowSamples, from: WindowSamples): void {
  into.count += from.count;
  into.sum += from.sum;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  for (const v of from.values) into.values.push(v);
}

function seriesKey(identity: MetricIdentity): string {
  const dims = Object.entries(identity.dimensions)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  return `${identity.namespace}|${identity.metricName}|${dims}`;
}

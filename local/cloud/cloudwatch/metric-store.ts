// CloudWatch metric data: samples per metric (namespace, name, exact
// dimension set), kept in small time buckets so any window can be summarized
// (count, sum, min, max, and every value for percentiles).

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

interface Series {
  identity: MetricIdentity;
  unit?: string;
  buckets: Map<number, WindowSamples>;
}

export class MetricStore {
  private readonly series = new Map<string, Series>();
  private readonly bucketMs: number;
  private readonly retentionMs: number;
  private puts = 0;

  /** `bucketMs`: time resolution of stored samples; `retentionMs`: how long samples are kept (real time). */
  constructor(bucketMs: number, retentionMs: number) {
    this.bucketMs = bucketMs;
    this.retentionMs = retentionMs;
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

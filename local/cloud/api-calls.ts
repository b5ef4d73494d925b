// Every API call the local cloud answered (or refused), per service and
// operation, for the rehearsal report and the benchmarks.
import type { CloudService } from './services.ts';

export type ApiCallCounts = Partial<Record<CloudService, Record<string, number>>>;

export class ApiCalls {
  private counts: ApiCallCounts = {};

  count(service: CloudService, operation: string): void {
    const perService = (this.counts[service] ??= {});
    perService[operation] = (perService[operation] ?? 0) + 1;
  }

  /** A copy: later calls do not change it. */
  snapshot(): ApiCallCounts {
    return Object.fromEntries(Object.entries(this.counts).map(([service, ops]) => [service, { ...ops }]));
  }

  reset(): void {
    this.counts = {};
  }
}

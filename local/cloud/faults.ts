// Fault injection for reliability tests: make chosen operations fail with a
// chosen AWS error, always, at a rate, or a number of times.
import { AwsError } from './aws-error.ts';
import { ACCOUNT_ID } from './ids.ts';
import { CLOUD_SERVICES, type CloudService } from './services.ts';

export interface FaultSpec {
  service: CloudService;
  /** An operation name such as `DescribeRules`, or `*` for every operation of the service. */
  operation: string;
  /** The AWS error code to answer: `Throttling`, `AccessDenied`, `InternalFailure`, `ServiceUnavailable`, or any other. */
  error: string;
  /** Probability (0–1] that a matching call fails; default 1. */
  rate?: number;
  /** Fail this many matching calls, then stop; default: no limit. */
  count?: number;
  /** HTTP status; default by error (403 for AccessDenied, 5xx for service faults, else 400). */
  status?: number;
  message?: string;
}

export interface InjectedFault {
  /** Calls this fault failed so far. */
  readonly hits: number;
  remove: () => void;
}

const STATUS: Record<string, number> = {
  AccessDenied: 403,
  AccessDeniedException: 403,
  UnauthorizedOperation: 403,
  InternalFailure: 500,
  InternalError: 500,
  ServiceUnavailable: 503,
  RequestLimitExceeded: 503,
};

interface ActiveFault {
  spec: FaultSpec;
  hits: number;
}

export class Faults {
  private active: ActiveFault[] = [];
  private readonly random: () => number;

  constructor(random: () => number = Math.random) {
    this.random = random;
  }

  inject(spec: FaultSpec): InjectedFault {
    validate(spec);
    const fault: ActiveFault = { spec, hits: 0 };
    this.active.push(fault);
    return {
      get hits() {
        return fault.hits;
      },
      remove: () => {
        this.active = this.active.filter((f) => f !== fault);
      },
    };
  }

  clear(): void {
    this.active = [];
  }

  /** The error this call must fail with, if an injected fault fires. */
  draw(service: CloudService, operation: string): AwsError | undefined {
    for (const fault of this.active) {
      const { spec } = fault;
      if (spec.service !== service || (spec.operation !== '*' && spec.operation !== operation)) continue;
      if (spec.count !== undefined && fault.hits >= spec.count) continue;
      if (this.random() >= (spec.rate ?? 1)) continue;
      fault.hits++;
      return new AwsError(spec.error, spec.message ?? defaultMessage(spec.error, service, operation), spec.status ?? STATUS[spec.error] ?? 400);
    }
    return undefined;
  }
}

function validate(spec: FaultSpec): void {
  if (!CLOUD_SERVICES.includes(spec.service)) throw new TypeError(`fault.service must be one of ${CLOUD_SERVICES.join(', ')}, got "${spec.service}"`);
  if (!spec.operation) throw new TypeError('fault.operation is required (an operation name or "*")');
  if (!/^[A-Za-z][\w.]*$/.test(spec.error)) throw new TypeError(`fault.error must be an AWS error code, got "${spec.error}"`);
  if (spec.rate !== undefined && !(spec.rate > 0 && spec.rate <= 1)) throw new TypeError(`fault.rate must be in (0, 1], got ${spec.rate}`);
  if (spec.count !== undefined && !(Number.isInteger(spec.count) && spec.count > 0)) throw new TypeError(`fault.count must be a positive integer, got ${spec.count}`);
}

function defaultMessage(error: string, service: CloudService, operation: string): string {
  if (error.startsWith('AccessDenied') || error === 'UnauthorizedOperation') {
    return `User: arn:aws:sts::${ACCOUNT_ID}:assumed-role/bluegreen-local/local is not authorized to perform: ${service}:${operation} because no identity-based policy allows the ${service}:${operation} action`;
  }
  if (error.startsWith('Throttling') || error === 'RequestLimitExceeded') return 'Rate exceeded';
  return `Injected fault: ${error}`;
}

// The deployment store: one DynamoDB table (pk/sk, on demand) holding, per
// service, the deployment lock with the newest queued version, the open wait
// of the workflow, and the history; plus delivery markers for deduplication.
//
// Items (pk | sk):
//   service#<name> | lock           running execution, `queued`, `abort`, `rev`
//   service#<name> | wait           task token of the waiting state, `takenBy` once answered
//   service#<name> | releases       `last`: the highest release number ever given, and to which execution
//   service#<name> | history#<at>#… one HistoryEvent
//   delivery#<id>  | delivery       seen GitHub delivery / EventBridge event, `ttl`
// The table's TTL attribute is `ttl` (epoch seconds).
//
// Every decision is one conditional write on one item, so two callers racing
// each other never both win; a lost condition becomes `LockHeld` or
// `ConcurrentUpdate` (or a retry, where the loser can simply read again).
//
// AWS operations (dynamodb:*): GetItem, PutItem, UpdateItem, DeleteItem, Query.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { BadRequest, ConcurrentUpdate, LockHeld, NotFound } from '../core/errors.ts';
import type { ListenerWrite } from '../core/model.ts';
import { awsErrorCode, call, mapAwsError } from './aws-errors.ts';
import type { SignalAction, Trigger } from './executions.ts';

export type WaitKind = 'promotion' | 'bake' | 'retention';

/** What the step Lambda records when the workflow enters a `.waitForTaskToken` state. */
export interface WaitInput {
  executionArn: string;
  token: string;
  kind: WaitKind;
  /** The release being introduced (its alarms are `bg-<service>-<n>-…`). */
  releaseNumber: number;
  /** ISO-8601: when the waiting state times out. */
  expiresAt: string;
}

export interface Wait extends WaitInput {
  enteredAt: string;
  /** Who answered it (it stays until the next wait replaces it); null while open. */
  taken: WaitAnswer | null;
}

export interface WaitAnswer {
  by: string;
  action: SignalAction;
  at: string;
}

/** A deployment request: the execution that will run it and what it deploys. */
export interface DeploymentRequest {
  executionName: string;
  version: string;
  trigger: Trigger;
}

export interface QueuedDeployment extends DeploymentRequest {
  queuedAt: string;
}

export interface AbortRequest {
  by: string;
  reason: string;
  at: string;
}

export interface ActiveDeployment extends DeploymentRequest {
  claimedAt: string;
  /** The newest version pushed while this one runs; started when this one finishes. */
  queued: QueuedDeployment | null;
  abort: AbortRequest | null;
}

export type Outcome = 'succeeded' | 'rolled-back' | 'aborted' | 'failed' | 'not-started' | 'lost';

/** `redelivered`: a request that arrived again after its execution ended; nothing started. */
export type HistoryKind = 'started' | 'queued' | 'superseded' | 'step' | 'signal' | 'abort-requested' | 'finished' | 'redelivered';

/** One line of a service's history: who or what did what, to which version, with what effect. */
export interface HistoryEvent {
  kind: HistoryKind;
  /** `github:<login>`, `slack:<user id>`, `cli:<user>`, `alarm:<name>`, `workflow` */
  by: string;
  /** ISO-8601; `append` sets it when absent. */
  at?: string;
  executionName?: string;
  version?: string;
  releaseNumber?: number;
  /** The workflow state, for `step` events. */
  step?: string;
  action?: SignalAction;
  reason?: string;
  outcome?: Outcome;
  /** Listener writes a step applied, in order. */
  listenerChanges?: ListenerWrite[];
  durationMs?: number;
}

export interface DeploymentStore {
  /** Takes the service's lock, or records the request as the newest queued one (the one it replaces goes to history). */
  claim(service: string, request: DeploymentRequest): Promise<'claimed' | 'queued'>;
  /**
   * Releases the lock held by `executionName`, or hands it straight to the
   * queued request and returns it, to be started. Repeating it after a
   * handover returns the same `next`, with `released: false` (as does a call
   * that finds the lock free): only the first caller released it. Throws
   * `LockHeld` when another execution holds it. The caller records the outcome
   * in the history.
   */
  finish(service: string, executionName: string): Promise<{ next: DeploymentRequest | null; released: boolean }>;
  active(service: string): Promise<ActiveDeployment | null>;
  /** Records the open wait; repeating it for a wait already taken changes nothing. */
  putWait(service: string, wait: WaitInput): Promise<void>;
  /** The last wait entered: open (`taken: null`) or answered; null when there is none. */
  getWait(service: string): Promise<Wait | null>;
  /** Takes the open wait for one answer; exactly one caller wins, the others get `ConcurrentUpdate` naming the winner. */
  takeWait(service: string, take: { by: string; action: SignalAction; expectedToken?: string }): Promise<Wait>;
  /** Gives a taken wait back (the answer could not be delivered). */
  releaseWait(service: string, token: string, by: string): Promise<void>;
  /**
   * Asks the running execution to stop at its next check; `NotFound` when none
   * runs. With `executionName`, only that execution: `LockHeld` when another
   * one holds the lock (the one named has ended).
   */
  requestAbort(service: string, request: { by: string; reason: string; executionName?: string }): Promise<ActiveDeployment>;
  /** The abort request for this execution, if any. */
  abortRequested(service: string, executionName: string): Promise<AbortRequest | null>;
  /**
   * The number of the release `executionName` creates: above every number
   * given before, even of releases since deleted, and at least `atLeast` (one
   * above the releases that exist). Asking again for the same execution (a
   * retried step) gives the same number.
   */
  nextReleaseNumber(service: string, request: { executionName: string; atLeast: number }): Promise<number>;
  /** True the first time a delivery (or event) id is seen within `ttlSeconds`. */
  firstDelivery(deliveryId: string, ttlSeconds: number): Promise<boolean>;
  /** Forgets a delivery whose handling failed, so a redelivery is handled. */
  forgetDelivery(deliveryId: string): Promise<void>;
  append(service: string, event: HistoryEvent): Promise<void>;
  /** Newest first. */
  history(service: string, limit: number): Promise<HistoryEvent[]>;
}

/** The table as the store expects it (tests and local runs create it from this). */
export function deploymentTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
  };
}

const LOCK = 'lock';
const WAIT = 'wait';
const RELEASES = 'releases';
const HISTORY = 'history#';
const MAX_ATTEMPTS = 10;
const DAY_SECONDS = 86_400;

/** The lock item: the running request, the queue slot, and `rev`, bumped by every write. */
interface LockItem extends DeploymentRequest {
  claimedAt: string;
  rev: number;
  queued?: QueuedDeployment;
  abort?: AbortRequest;
  /** The execution that handed the lock over, so that its repeated `finish` is answered the same. */
  handedOverFrom?: string;
}

/** The release counter: it only goes up, so a number is never given twice, whatever was deleted since. */
interface ReleasesItem {
  last: number;
  lastExecution: string;
}

interface WaitItem extends WaitInput {
  enteredAt: string;
  takenBy?: string;
  takenAction?: SignalAction;
  takenAt?: string;
}

export function createDeploymentStore(doc: DynamoDBDocumentClient, tableName: string, options: { now?: () => Date } = {}): DeploymentStore {
  const now = options.now ?? (() => new Date());
  const key = (service: string, sk: string) => ({ pk: `service#${service}`, sk });

  const get = async <T>(service: string, sk: string): Promise<T | undefined> => {
    const out = await call('dynamodb:GetItem', () => doc.send(new GetCommand({ TableName: tableName, Key: key(service, sk), ConsistentRead: true })));
    return out.Item as T | undefined;
  };

  /** Runs a conditional write; false when the condition did not hold. */
  const conditional = async (operation: string, write: () => Promise<unknown>): Promise<boolean> => {
    try {
      await write();
      return true;
    } catch (error) {
      if (awsErrorCode(error) === 'ConditionalCheckFailedException') return false;
      throw mapAwsError(error, operation);
    }
  };

  const append = async (service: string, event: HistoryEvent): Promise<void> => {
    const at = event.at ?? now().toISOString();
    // Same-millisecond events keep their order within a container (monotonic clock), and never collide.
    const order = `${process.hrtime.bigint().toString().padStart(20, '0')}${randomBytes(2).toString('hex')}`;
    const item = plain({ ...event, at, ...key(service, `${HISTORY}${at}#${order}`) });
    await call('dynamodb:PutItem', () => doc.send(new PutCommand({ TableName: tableName, Item: item })));
  };

  const readLock = async (service: string): Promise<LockItem | null> => (await get<LockItem>(service, LOCK)) ?? null;

  return {
    append,

    async claim(service, request) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const item = plain({ ...key(service, LOCK), ...request, claimedAt: now().toISOString(), rev: 1 });
        const took = await conditional('dynamodb:PutItem', () =>
          doc.send(new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' })),
        );
        if (took) return 'claimed';

        const lock = await readLock(service);
        if (!lock) continue; // released meanwhile: try to take it again
        if (lock.executionName === request.executionName) return 'claimed';
        if (lock.queued?.executionName === request.executionName) return 'queued';

        const queued: QueuedDeployment = { ...request, queuedAt: now().toISOString() };
        const replaced = await conditional('dynamodb:UpdateItem', () =>
          doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(service, LOCK),
              UpdateExpression: 'SET queued = :queued, rev = :next',
              ConditionExpression: 'rev = :rev',
              ExpressionAttributeValues: { ':queued': plain(queued), ':rev': lock.rev, ':next': lock.rev + 1 },
            }),
          ),
        );
        if (!replaced) continue;
        if (lock.queued) {
          await append(service, {
            kind: 'superseded',
            by: request.trigger.by,
            executionName: lock.queued.executionName,
            version: lock.queued.version,
            reason: `replaced in the queue by version ${request.version}`,
          });
        }
        await append(service, {
          kind: 'queued',
          by: request.trigger.by,
          executionName: request.executionName,
          version: request.version,
          reason: `waiting for ${lock.executionName}`,
        });
        return 'queued';
      }
      throw new ConcurrentUpdate(`${service}: the lock changed ${MAX_ATTEMPTS} times while claiming it; try again`);
    },

    async finish(service, executionName) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const lock = await readLock(service);
        if (!lock) return { next: null, released: false };
        if (lock.executionName !== executionName) {
          if (lock.handedOverFrom === executionName) return { next: request(lock), released: false };
          throw new LockHeld(`${service}: the lock is held by ${lock.executionName}, not ${executionName}`);
        }
        const next = lock.queued ? request(lock.queued) : null;
        const written = next
          ? await conditional('dynamodb:UpdateItem', () =>
              doc.send(
                new UpdateCommand({
                  TableName: tableName,
                  Key: key(service, LOCK),
                  UpdateExpression:
                    'SET executionName = :name, version = :version, #trigger = :trigger, claimedAt = :at, handedOverFrom = :from, rev = :next REMOVE queued, #abort',
                  ConditionExpression: 'rev = :rev',
                  ExpressionAttributeNames: { '#trigger': 'trigger', '#abort': 'abort' },
                  ExpressionAttributeValues: {
                    ':name': next.executionName,
                    ':version': next.version,
                    ':trigger': plain(next.trigger),
                    ':at': now().toISOString(),
                    ':from': executionName,
                    ':rev': lock.rev,
                    ':next': lock.rev + 1,
                  },
                }),
              ),
            )
          : await conditional('dynamodb:DeleteItem', () =>
              doc.send(
                new DeleteCommand({
                  TableName: tableName,
                  Key: key(service, LOCK),
                  ConditionExpression: 'rev = :rev',
                  ExpressionAttributeValues: { ':rev': lock.rev },
                }),
              ),
            );
        if (!written) continue; // a push queued something meanwhile: read again
        return { next, released: true };
      }
      throw new ConcurrentUpdate(`${service}: the lock changed ${MAX_ATTEMPTS} times while releasing it; try again`);
    },

    async active(service) {
      const lock = await readLock(service);
      return lock ? toActive(lock) : null;
    },

    async putWait(service, wait) {
      const expires = Date.parse(wait.expiresAt);
      if (Number.isNaN(expires)) throw new BadRequest(`expiresAt: not an ISO-8601 time: ${wait.expiresAt}`);
      const item = plain({ ...key(service, WAIT), ...wait, enteredAt: now().toISOString(), ttl: Math.floor(expires / 1000) + DAY_SECONDS });
      // A retried step must not reopen a wait that was already answered.
      await conditional('dynamodb:PutItem', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: item,
            ConditionExpression: 'attribute_not_exists(takenBy) OR #token <> :token',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': wait.token },
          }),
        ),
      );
    },

    async getWait(service) {
      const item = await get<WaitItem>(service, WAIT);
      return item ? toWait(item) : null;
    },

    async takeWait(service, take) {
      const values: Record<string, string> = { ':by': take.by, ':action': take.action, ':at': now().toISOString() };
      let condition = 'attribute_exists(pk) AND attribute_not_exists(takenBy)';
      if (take.expectedToken !== undefined) {
        condition += ' AND #token = :token';
        values[':token'] = take.expectedToken;
      }
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(service, WAIT),
            UpdateExpression: 'SET takenBy = :by, takenAction = :action, takenAt = :at',
            ConditionExpression: condition,
            ...(take.expectedToken !== undefined ? { ExpressionAttributeNames: { '#token': 'token' } } : {}),
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_NEW',
          }),
        );
        return toWait(out.Attributes as WaitItem);
      } catch (error) {
        if (awsErrorCode(error) !== 'ConditionalCheckFailedException') throw mapAwsError(error, 'dynamodb:UpdateItem');
      }
      throw new ConcurrentUpdate(lostWait(service, await get<WaitItem>(service, WAIT)));
    },

    async releaseWait(service, token, by) {
      await conditional('dynamodb:UpdateItem', () =>
        doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(service, WAIT),
            UpdateExpression: 'REMOVE takenBy, takenAction, takenAt',
            ConditionExpression: '#token = :token AND takenBy = :by',
            ExpressionAttributeNames: { '#token': 'token' },
            ExpressionAttributeValues: { ':token': token, ':by': by },
          }),
        ),
      );
    },

    async requestAbort(service, { by, reason, executionName }) {
      const abort: AbortRequest = { by, reason, at: now().toISOString() };
      // Named: the abort lands on that execution's lock or nowhere, never on the one that took over since.
      const named = executionName !== undefined;
      try {
        const out = await doc.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key(service, LOCK),
            UpdateExpression: 'SET #abort = :abort',
            ConditionExpression: named ? 'attribute_exists(pk) AND executionName = :name' : 'attribute_exists(pk)',
            ExpressionAttributeNames: { '#abort': 'abort' },
            ExpressionAttributeValues: { ':abort': abort, ...(named ? { ':name': executionName } : {}) },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const active = toActive(out.Attributes as LockItem);
        await append(service, { kind: 'abort-requested', by, reason, executionName: active.executionName, version: active.version });
        return active;
      } catch (error) {
        if (awsErrorCode(error) !== 'ConditionalCheckFailedException') throw mapAwsError(error, 'dynamodb:UpdateItem');
      }
      const holder = named ? await readLock(service) : null;
      if (holder) throw new LockHeld(`${service}: the lock is held by ${holder.executionName}, not ${executionName}; no abort was recorded`);
      throw new NotFound(`${service}: no deployment is running`);
    },

    async abortRequested(service, executionName) {
      const lock = await readLock(service);
      return lock?.executionName === executionName ? (lock.abort ?? null) : null;
    },

    async nextReleaseNumber(service, { executionName, atLeast }) {
      for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        const counter = await get<ReleasesItem>(service, RELEASES);
        if (counter?.lastExecution === executionName) return counter.last;
        const next = Math.max(counter?.last ?? 0, atLeast - 1) + 1;
        // A conditional update on the number last read: it never goes back, and two callers never get the same one.
        const taken = await conditional('dynamodb:UpdateItem', () =>
          doc.send(
            new UpdateCommand({
              TableName: tableName,
              Key: key(service, RELEASES),
              UpdateExpression: 'SET #last = :next, lastExecution = :execution',
              ConditionExpression: counter ? '#last = :seen' : 'attribute_not_exists(pk)',
              ExpressionAttributeNames: { '#last': 'last' },
              ExpressionAttributeValues: { ':next': next, ':execution': executionName, ...(counter ? { ':seen': counter.last } : {}) },
            }),
          ),
        );
        if (taken) return next;
      }
      throw new ConcurrentUpdate(`${service}: the release counter changed ${MAX_ATTEMPTS} times while taking a number; try again`);
    },

    async firstDelivery(deliveryId, ttlSeconds) {
      const nowSeconds = Math.floor(now().getTime() / 1000);
      // DynamoDB deletes expired items lazily: an expired marker counts as absent.
      return conditional('dynamodb:PutItem', () =>
        doc.send(
          new PutCommand({
            TableName: tableName,
            Item: { pk: `delivery#${deliveryId}`, sk: 'delivery', at: now().toISOString(), ttl: nowSeconds + ttlSeconds },
            ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':now': nowSeconds },
          }),
        ),
      );
    },

    async forgetDelivery(deliveryId) {
      await call('dynamodb:DeleteItem', () => doc.send(new DeleteCommand({ TableName: tableName, Key: { pk: `delivery#${deliveryId}`, sk: 'delivery' } })));
    },

    async history(service, limit) {
      const out = await call('dynamodb:Query', () =>
        doc.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :history)',
            ExpressionAttributeValues: { ':pk': `service#${service}`, ':history': HISTORY },
            ScanIndexForward: false,
            Limit: limit,
          }),
        ),
      );
      return (out.Items ?? []).map(({ pk: _pk, sk: _sk, ...event }) => event as HistoryEvent);
    },
  };
}

function lostWait(service: string, item: WaitItem | undefined): string {
  if (!item) return `${service}: no wait is open any more (the deployment moved on); nothing was sent`;
  const wait = toWait(item);
  if (wait.taken) return `${service}: ${answeredBy(wait)}; nothing was sent`;
  return `${service}: the wait changed meanwhile (now the ${wait.kind} wait of release ${wait.releaseNumber}); nothing was sent`;
}

/** `the bake wait of release 4 was already taken by alarm:… (rollback) at …` */
export function answeredBy(wait: Wait): string {
  const who = wait.taken ? `${wait.taken.by} (${wait.taken.action}) at ${wait.taken.at}` : 'nobody';
  return `the ${wait.kind} wait of release ${wait.releaseNumber} was already taken by ${who}`;
}

function request(r: DeploymentRequest): DeploymentRequest {
  return { executionName: r.executionName, version: r.version, trigger: r.trigger };
}

function toActive(item: LockItem): ActiveDeployment {
  return { ...request(item), claimedAt: item.claimedAt, queued: item.queued ?? null, abort: item.abort ?? null };
}

function toWait(item: WaitItem): Wait {
  const { executionArn, token, kind, releaseNumber, expiresAt, enteredAt, takenBy, takenAction, takenAt } = item;
  const taken = takenBy !== undefined ? { by: takenBy, action: takenAction!, at: takenAt! } : null;
  return { executionArn, token, kind, releaseNumber, expiresAt, enteredAt, taken };
}

/** Drops `undefined` members (optional fields), which DynamoDB cannot store. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

// The EventBridge side of the local cloud: events (CloudWatch alarm state
// changes) delivered to every `onEvent` listener, asynchronously and in order.
// A listener that throws is logged and does not stop the others.
import type { EventBridgeEvent } from 'aws-lambda';
import type { Log } from './log.ts';

export type CloudEvent = EventBridgeEvent<string, unknown>;
export type CloudEventListener = (event: CloudEvent) => void | Promise<void>;

export class EventBus {
  private readonly listeners = new Set<CloudEventListener>();
  private readonly log: Log;
  private delivery: Promise<void> = Promise.resolve();

  constructor(log: Log) {
    this.log = log;
  }

  /** Registers a listener; returns the function that removes it. */
  on(listener: CloudEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: CloudEvent): void {
    const listeners = [...this.listeners];
    this.delivery = this.delivery.then(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      for (const listener of listeners) {
        try {
          await listener(event);
        } catch (err) {
          this.log('cloudwatch', 'event-listener-failed', { detailType: event['detail-type'], error: String(err) });
        }
      }
    });
  }

  /** Resolves once every event emitted so far has been delivered. */
  drained(): Promise<void> {
    return this.delivery;
  }
}

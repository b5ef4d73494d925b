// Time in the local cloud. Every duration AWS configures in seconds (health
// check interval and timeout, deregistration delay, alarm period, grace
// periods, idle timeout) lasts `seconds × timeScale` real seconds, so with
// timeScale 0.1 a 10 s health-check interval takes 1 s and a 60 s alarm period
// 6 s. Timestamps stay real wall-clock time. Every timer goes through the
// clock so `stop()` leaves none behind.

export class Clock {
  readonly timeScale: number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(timeScale: number) {
    if (!(timeScale > 0) || timeScale > 1000) throw new RangeError(`timeScale must be > 0 and <= 1000, got ${timeScale}`);
    this.timeScale = timeScale;
  }

  /** Real milliseconds that `seconds` of AWS time take (0 stays 0). */
  ms(seconds: number): number {
    return seconds <= 0 ? 0 : Math.max(1, Math.round(seconds * 1000 * this.timeScale));
  }

  /** Runs `fn` once after `seconds` of AWS time; returns a cancel function. */
  after(seconds: number, fn: () => void): () => void {
    return this.afterMs(this.ms(seconds), fn);
  }

  /** Runs `fn` once after `ms` real milliseconds; returns a cancel function. */
  afterMs(ms: number, fn: () => void): () => void {
    if (this.stopped) return () => {};
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
    return () => {
      clearTimeout(timer);
      this.timers.delete(timer);
    };
  }

  /** Runs `fn` every `seconds` of AWS time; returns a cancel function. */
  every(seconds: number, fn: () => void): () => void {
    if (this.stopped) return () => {};
    const timer = setInterval(fn, Math.max(10, this.ms(seconds)));
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  /** Resolves after `seconds` of AWS time (at once once the clock is stopped). */
  sleep(seconds: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.stopped) return resolve();
      this.after(seconds, resolve);
    });
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}

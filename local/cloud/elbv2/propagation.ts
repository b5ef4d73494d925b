// How listener changes reach the data plane. "Edit a listener rule for your
// Application Load Balancer": "Rule updates do not take effect immediately,
// so requests could be routed using the previous rule configuration for a
// short time after you update a rule. Any in-flight requests are completed."
// Every change of a listener's default actions or rules (ModifyListener,
// CreateRule, ModifyRule, DeleteRule, SetRulePriorities) is copied and
// reaches the listener's data plane `seconds` later (the realism setting
// `listenerPropagation`), in the order the changes were made. Describe calls
// answer the new configuration at once.
import type { Clock } from '../clock.ts';
import type { Log } from '../log.ts';
import type { Realism } from '../realism.ts';
import type { DataPlaneConfig, ListenerRecord } from './state.ts';

export class Propagation {
  private readonly clock: Clock;
  private readonly setting: Realism['listenerPropagation'];
  private readonly log: Log;

  constructor(clock: Clock, setting: Realism['listenerPropagation'], log: Log) {
    this.clock = clock;
    this.setting = setting;
    this.log = log;
  }

  /** Sends the listener's configuration as it is now to its data plane. */
  publish(listener: ListenerRecord): void {
    const config = dataPlaneConfig(listener);
    if (!this.setting) return void (listener.dataPlane = config);
    this.clock.after(this.setting.seconds, () => {
      if (config.version <= listener.dataPlane.version) return;
      listener.dataPlane = config;
      this.log('elbv2', 'listener-propagated', { listener: listener.arn, version: config.version });
    });
  }
}

/** A copy of the listener's routing as it is now, numbered after the previous one. */
function dataPlaneConfig(listener: ListenerRecord): DataPlaneConfig {
  listener.configVersion += 1;
  return { version: listener.configVersion, defaultActions: listener.defaultActions, rules: listener.rules.map((rule) => ({ ...rule })) };
}

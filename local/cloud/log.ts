// Structured activity log of the local cloud (instance launched, target
// healthy, alarm state changed …): one JSON-ready object per event, handed to
// the `log` callback of `startLocalCloud` — silent when none is given.

export interface CloudLogEntry {
  time: string;
  component: 'api' | 'elbv2' | 'data-plane' | 'autoscaling' | 'ec2' | 'cloudwatch';
  event: string;
  [field: string]: unknown;
}

export type CloudLogSink = (entry: CloudLogEntry) => void;

export type Log = (component: CloudLogEntry['component'], event: string, fields?: Record<string, unknown>) => void;

export function createLog(sink: CloudLogSink | undefined): Log {
  if (!sink) return () => {};
  return (component, event, fields) => {
    try {
      sink({ time: new Date().toISOString(), component, event, ...fields });
    } catch {
      // a failing sink must not break the cloud
    }
  };
}

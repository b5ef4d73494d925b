// `bluegreen abort <service>`: stop the running deployment.
import { signalCommand } from './signal.ts';

export const abort = signalCommand(
  'abort',
  'abort the running deployment',
  [
    'Stops the running deployment: an open wait is answered with abort; otherwise the deployment stops before its',
    'next step. Either way traffic stays on (or goes back to) the last good release and what the deployment created',
    'is removed. Refused with NotFound when no deployment runs. With --execution (the name status shows), only that',
    'execution is aborted: once it has ended, the abort is refused with DeploymentEnded naming the one running now,',
    'which is left alone.',
  ].join('\n'),
);

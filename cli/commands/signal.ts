// promote, rollback and abort: the same answer Slack gives the workflow
// (dispatch.ts `signal`): the open wait is taken exactly once and resumed, or,
// for an abort while the workflow works, an abort request is recorded.
//
// Who may: the CLI acts with the caller's AWS credentials, so IAM is the
// gate, not the Slack lists (slack.users / slack.groups).
import type { SignalAction } from '../../functions/adapters/executions.ts';
import { DeploymentEnded } from '../../functions/core/errors.ts';
import { signal, type SignalResult } from '../../functions/lib/dispatch.ts';
import { stringValue, type Command } from '../command.ts';
import { STATE_MACHINE_OPTION, TABLE_OPTION, TARGET_OPTIONS } from '../options.ts';
import { openSession } from '../session.ts';

const WHO_MAY = [
  'Who may: IAM is the gate. The CLI acts with your AWS credentials: whoever may call states:SendTaskSuccess on',
  'the workflow and dynamodb:GetItem/UpdateItem/PutItem on the deployment table can do this; the Slack lists',
  '(slack.users, slack.groups) apply to Slack only. The history records you as cli:<user> ($USER, else your',
  'AWS identity from STS).',
].join('\n');

export function signalCommand(action: SignalAction, summary: string, description: string): Command {
  return {
    name: action,
    summary,
    description: `${description}\n\n${WHO_MAY}`,
    args: [{ name: 'service', description: 'a configured service' }],
    options: {
      reason: { type: 'string', value: 'TEXT', description: `why, recorded in the history (default: "${action} from the CLI")` },
      execution: {
        type: 'string',
        value: 'NAME',
        description: `act only on this execution (as status shows it): refused with DeploymentEnded, naming the one running, once it has ended (default: whichever runs)`,
      },
      ...TARGET_OPTIONS,
      ...TABLE_OPTION,
      ...STATE_MACHINE_OPTION,
    },
    async run(line, io) {
      const session = openSession(line, io);
      const service = session.service(line.args.service!);
      const deps = { store: session.store(), executions: session.executions() };
      const by = await session.caller();
      const reason = stringValue(line, 'reason') ?? `${action} from the CLI`;
      const execution = stringValue(line, 'execution');
      let result: SignalResult;
      try {
        result = await signal(deps, service.name, { action, by, reason, ...(execution ? { expect: { executionName: execution } } : {}) });
      } catch (error) {
        if (!(error instanceof DeploymentEnded && error.running)) throw error;
        throw new DeploymentEnded(`${error.message} (bluegreen ${action} ${service.name} --execution ${error.running})`, { cause: error, running: error.running });
      }
      io.stdout(`${done(service.name, result)}\n`);
      return 0;
    },
  };
}

function done(service: string, result: SignalResult): string {
  if (result.outcome === 'abort-requested') {
    const { executionName, version } = result.active;
    return `${service}: abort requested for ${executionName} (version ${version}); it stops before its next step and removes what it created`;
  }
  const { wait } = result;
  const name = wait.executionArn.slice(wait.executionArn.lastIndexOf(':') + 1);
  return `${service}: ${result.action} sent to ${name}, which waited in ${wait.kind} of release ${wait.releaseNumber}; follow it with bluegreen status ${service}`;
}

// `bluegreen deploy <service> --version V [--watch]`: asks for a deployment
// the way a push does (claim the service's lock and start the workflow, or
// queue behind the running deployment), then optionally follows it.
import { startOrQueue } from '../../functions/lib/dispatch.ts';
import { flag, numberValue, requiredValue, stringValue, type Command } from '../command.ts';
import { STATE_MACHINE_OPTION, TABLE_OPTION, TARGET_OPTIONS } from '../options.ts';
import { openSession } from '../session.ts';
import { watchDeployment } from '../watch.ts';

export const deploy: Command = {
  name: 'deploy',
  summary: 'start a deployment (or queue it behind the running one)',
  description: [
    'Starts the deployment workflow for VERSION exactly as a GitHub push does: it takes the service\'s lock and',
    'starts an execution, or, while another deployment runs, queues the version to start when that one ends (a',
    'newer queued version replaces an older one). Recorded as requested by cli:<user> ($USER, else your AWS',
    'identity from STS). With --watch, follows the deployment until it ends and exits 1 unless it succeeded',
    '(failed, rolled back or aborted). Needs dynamodb:GetItem/PutItem/UpdateItem/Query on the table and',
    'states:StartExecution/DescribeExecution (and states:GetExecutionHistory for --watch).',
  ].join('\n'),
  args: [{ name: 'service', description: 'a configured service' }],
  options: {
    version: { type: 'string', value: 'V', description: 'the version to deploy (required)' },
    watch: { type: 'boolean', description: 'follow the deployment until it ends' },
    interval: { type: 'string', value: 'SECONDS', description: 'with --watch: seconds between two looks (default 5)' },
    'request-id': {
      type: 'string',
      value: 'ID',
      description: 'names the execution, so running the same command twice starts it once, and not again once it ended (default: random)',
    },
    ...TARGET_OPTIONS,
    ...TABLE_OPTION,
    ...STATE_MACHINE_OPTION,
  },
  async run(line, io) {
    const version = requiredValue(line, 'version');
    const intervalMs = numberValue(line, 'interval', { min: 0.05, max: 300, fallback: 5 }) * 1000;
    const requestId = stringValue(line, 'request-id');
    const session = openSession(line, io);
    const service = session.service(line.args.service!);
    const deps = { store: session.store(), executions: session.executions() };
    const by = await session.caller();

    const result = await startOrQueue(deps, service.name, version, { kind: 'cli', by, ...(requestId ? { deliveryId: requestId } : {}) });
    if (result.status === 'started') {
      io.stdout(`started: ${service.name} version ${version}, requested by ${by}\n  execution ${result.executionName}\n  ${result.executionArn}\n`);
    } else if (result.status === 'already-handled') {
      const request = requestId ? `request ${requestId}` : 'the request';
      io.stdout(`already handled: ${service.name} version ${version}: ${request} was deployed by ${result.executionName}, which ended ${result.executionStatus}; nothing started\n`);
    } else {
      const running = await deps.store.active(service.name);
      const behind = running ? `${running.executionName} (version ${running.version})` : 'the running deployment';
      io.stdout(`queued: ${service.name} version ${version}, requested by ${by}, starts when ${behind} ends\n  execution ${result.executionName}\n`);
    }
    if (!flag(line, 'watch')) return 0;
    return watchDeployment({ ...deps, sfn: session.aws().sfn, io, intervalMs }, service.name, result.executionName);
  },
};

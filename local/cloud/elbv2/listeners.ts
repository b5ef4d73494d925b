// Listeners: each one gets a real HTTP server on a loopback port (its data
// plane) when created; ModifyListener changes what that server does once the
// change has propagated (elbv2/propagation.ts), without closing a connection.
import type {
  Action,
  CreateListenerCommandInput,
  CreateListenerCommandOutput,
  DeleteListenerCommandInput,
  DeleteListenerCommandOutput,
  DescribeListenersCommandInput,
  DescribeListenersCommandOutput,
  Listener,
  ModifyListenerCommandInput,
  ModifyListenerCommandOutput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateListener$, DeleteListener$, DescribeListeners$, ModifyListener$ } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, required, validationError } from '../aws-error.ts';
import type { ListenerProxy } from '../data-plane/listener-proxy.ts';
import type { Log } from '../log.ts';
import { paginate } from '../pagination.ts';
import { operation, type Answer, type Operation } from '../protocol/operation.ts';
import { normalizeActions } from './actions.ts';
import { LIMITS } from './limits.ts';
import { requireLoadBalancer } from './load-balancers.ts';
import { elbId, targetGroupArnsOf, type Elbv2State, type ListenerRecord } from './state.ts';
import { checkTags, setTags } from './tags.ts';

export interface ListenerDeps {
  log: Log;
  startProxy: (listenerArn: string, loadBalancerArn: string) => Promise<ListenerProxy>;
  /** Sends a changed listener's routing to its data plane. */
  propagate: (listener: ListenerRecord) => void;
}

export function listenerOperations(state: Elbv2State, deps: ListenerDeps): Operation[] {
  return [
    operation(CreateListener$, (input: CreateListenerCommandInput) => createListener(state, deps, input)),
    operation(DescribeListeners$, (input: DescribeListenersCommandInput): Answer<DescribeListenersCommandOutput> => {
      if (!input.LoadBalancerArn && !input.ListenerArns?.length) throw validationError('You must specify either listener ARNs or a load balancer ARN');
      if (input.LoadBalancerArn) requireLoadBalancer(state, input.LoadBalancerArn);
      const listeners = input.ListenerArns?.length ? input.ListenerArns.map((arn) => requireListener(state, arn)) : state.listenersOf(input.LoadBalancerArn!);
      const { page, next } = paginate(listeners, input.Marker, input.PageSize ?? 400, 'ValidationError');
      return { Listeners: page.map(listenerView), NextMarker: next };
    }),
    operation(ModifyListener$, (input: ModifyListenerCommandInput): Answer<ModifyListenerCommandOutput> => {
      const listener = requireListener(state, required(input.ListenerArn, 'ListenerArn'));
      const port = input.Port ?? listener.port;
      checkPort(port);
      if (port !== listener.port && state.listenersOf(listener.loadBalancerArn).some((l) => l.port === port)) {
        throw new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer');
      }
      const protocol = checkProtocol(input.Protocol ?? listener.protocol);
      const actions = input.DefaultActions ? normalizeActions(input.DefaultActions, 'DefaultActions', listener.loadBalancerArn, state) : listener.defaultActions;
      checkUniqueTargetGroups(state, listener.loadBalancerArn, actions, listener.defaultActions);
      listener.port = port;
      listener.protocol = protocol;
      listener.defaultActions = actions;
      state.refreshTargetGroupUsage();
      deps.propagate(listener);
      deps.log('elbv2', 'listener-modified', { listener: listener.arn, defaultActions: actions });
      return { Listeners: [listenerView(listener)] };
    }),
    operation(DeleteListener$, async (input: DeleteListenerCommandInput): Promise<Answer<DeleteListenerCommandOutput>> => {
      const listener = requireListener(state, required(input.ListenerArn, 'ListenerArn'));
      for (const rule of listener.rules) state.rules.delete(rule.arn);
      state.listeners.delete(listener.arn);
      state.tags.delete(listener.arn);
      state.refreshTargetGroupUsage();
      await listener.proxy?.close();
      return {};
    }),
  ];
}

export function requireListener(state: Elbv2State, arn: string): ListenerRecord {
  const listener = state.listeners.get(arn);
  if (!listener) throw new AwsError('ListenerNotFound', `Listener '${arn}' not found`);
  return listener;
}

export function listenerView(listener: ListenerRecord): Listener {
  return { ListenerArn: listener.arn, LoadBalancerArn: listener.loadBalancerArn, Port: listener.port, Protocol: listener.protocol, DefaultActions: listener.defaultActions };
}

/** A load balancer may forward to at most 100 distinct target groups across its listeners and rules. */
export function checkUniqueTargetGroups(state: Elbv2State, loadBalancerArn: string, added: Action[], replaced: Action[] = []): void {
  const listeners = state.listenersOf(loadBalancerArn);
  const current = listeners.flatMap((l) => [...l.defaultActions, ...l.rules.flatMap((r) => r.actions)]);
  const kept = current.filter((a) => !replaced.includes(a));
  const unique = new Set(targetGroupArnsOf([...kept, ...added]));
  if (unique.size > LIMITS.targetGroupsPerLoadBalancer) {
    throw new AwsError('TooManyUniqueTargetGroupsPerLoadBalancer', `A load balancer can forward to at most ${LIMITS.targetGroupsPerLoadBalancer} unique target groups`);
  }
}

async function createListener(state: Elbv2State, deps: ListenerDeps, input: CreateListenerCommandInput): Promise<Answer<CreateListenerCommandOutput>> {
  const loadBalancerArn = required(input.LoadBalancerArn, 'LoadBalancerArn');
  const lb = requireLoadBalancer(state, loadBalancerArn);
  const port = required(input.Port, 'Port');
  checkPort(port);
  const protocol = checkProtocol(input.Protocol ?? 'HTTP');
  const siblings = state.listenersOf(loadBalancerArn);
  if (siblings.some((l) => l.port === port)) throw new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer');
  if (siblings.length >= LIMITS.listenersPerLoadBalancer) throw new AwsError('TooManyListeners', `A load balancer can have at most ${LIMITS.listenersPerLoadBalancer} listeners`);
  const defaultActions = normalizeActions(required(input.DefaultActions, 'DefaultActions'), 'DefaultActions', loadBalancerArn, state);
  checkUniqueTargetGroups(state, loadBalancerArn, defaultActions);
  const [, lbName, lbId] = lb.dimension.split('/');
  const id = elbId();
  const arn = state.arn(`listener/app/${lbName}/${lbId}/${id}`);
  if (input.Tags?.length) checkTags(state, arn, input.Tags);
  const listener: ListenerRecord = {
    arn,
    loadBalancerArn,
    port,
    protocol,
    defaultActions,
    defaultRuleArn: state.arn(`listener-rule/app/${lbName}/${lbId}/${id}/${elbId()}`),
    rules: [],
    // A new listener routes by its first configuration from the start.
    dataPlane: { version: 1, defaultActions, rules: [] },
    configVersion: 1,
  };
  state.listeners.set(arn, listener);
  listener.proxy = await deps.startProxy(arn, loadBalancerArn);
  if (input.Tags?.length) setTags(state, arn, input.Tags);
  state.refreshTargetGroupUsage();
  deps.log('elbv2', 'listener-created', { listener: arn, port, url: listener.proxy.url });
  return { Listeners: [listenerView(listener)] };
}

function checkPort(port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65_535) throw validationError(`Port must be between 1 and 65535, got ${port}`);
}

function checkProtocol(protocol: string): 'HTTP' | 'HTTPS' {
  if (protocol === 'HTTP') return 'HTTP';
  if (protocol === 'HTTPS') throw new AwsError('UnsupportedProtocol', 'The local cloud emulates HTTP listeners only (no certificates on loopback)');
  throw new AwsError('UnsupportedProtocol', `Protocol '${protocol}' is not supported by application load balancers`);
}

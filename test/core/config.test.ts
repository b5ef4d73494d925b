// Configuration rules that span services: each listener belongs to one service.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config.ts';
import { ConfigInvalid } from '../../functions/core/errors.ts';

const listener = (id: string) => `arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web/50dc6c495c0c9188/${id}`;

function document(...services: Array<[name: string, listenerId: string]>) {
  return {
    services: services.map(([name, listenerId]) => ({
      name,
      github: { repository: `acme/${name}` },
      listener: { loadBalancerArn: 'arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188', listenerArn: listener(listenerId) },
      launchTemplate: { id: 'lt-0123456789abcdef0' },
      subnets: ['subnet-a'],
      targetGroup: { vpcId: 'vpc-1' },
    })),
  };
}

describe('parseConfig: one service per listener', () => {
  it('accepts services on listeners of their own behind one load balancer', () => {
    expect(parseConfig(document(['web', 'a1'], ['api', 'b2'])).services.map((s) => s.name)).toEqual(['web', 'api']);
  });

  it.each([
    {
      case: 'two services naming the same listener',
      services: [['web', 'a1'], ['api', 'a1']] as Array<[string, string]>,
      message: 'services[1].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web); a listener belongs to one service',
    },
    {
      case: 'a third service naming the first one’s listener',
      services: [['web', 'a1'], ['api', 'b2'], ['docs', 'a1']] as Array<[string, string]>,
      message: 'services[2].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web); a listener belongs to one service',
    },
  ])('refuses $case, naming both fields', ({ services, message }) => {
    const parse = () => parseConfig(document(...services));
    expect(parse).toThrow(ConfigInvalid);
    expect(parse).toThrow(message);
  });

  it('names every service that shares the listener, once each', () => {
    const parse = () => parseConfig(document(['web', 'a1'], ['api', 'a1'], ['docs', 'a1']));
    expect(parse).toThrow('services[1].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web); a listener belongs to one service; services[2].listener.listenerArn: the same listener as services[0].listener.listenerArn (service web)');
  });
});

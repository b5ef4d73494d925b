// Which services a push deploys, and why not the others. Pure.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../functions/core/config.ts';
import { parsePush, planPush, pushedBy, type PushEvent } from '../../functions/lib/github-push.ts';
import { fixture, type GitHubPayload } from '../support/events.ts';

const service = (name: string, github: Record<string, unknown>) => ({
  name,
  github,
  listener: { loadBalancerArn: 'lb', listenerArn: `listener-${name}` },
  launchTemplate: { id: 'lt' },
  subnets: ['s'],
  targetGroup: { vpcId: 'v' },
});

/** web and api live in acme/shop (api only under services/api/); docs lives in acme/docs. */
const CONFIG = parseConfig({
  services: [
    service('web', { repository: 'acme/shop', branch: 'main' }),
    service('api', { repository: 'acme/shop', branch: 'main', paths: ['services/api/'] }),
    service('docs', { repository: 'acme/docs', branch: 'main' }),
  ],
});

const pushFixture = (edit: (p: GitHubPayload) => void = () => undefined): PushEvent => {
  const { payload } = fixture<{ payload: GitHubPayload }>('github/push');
  edit(payload);
  return parsePush(payload);
};

const touching = (...files: string[]) => (p: GitHubPayload) => void (p.commits = [{ added: [], removed: [], modified: files }]);

describe('planPush', () => {
  it.each([
    ['a change outside services/api/', touching('src/app.ts'), ['web'], [['api', 'the push changes nothing under services/api/']]],
    ['a change under services/api/', touching('services/api/routes.ts'), ['web', 'api'], []],
    ['a removed file under services/api/', (p: GitHubPayload) => void (p.commits = [{ added: [], removed: ['services/api/old.ts'], modified: [] }]), ['web', 'api'], []],
    ['no listed change', touching(), ['web'], [['api', 'the push changes nothing under services/api/']]],
    ['the repository name in another case', (p: GitHubPayload) => void (p.repository.full_name = 'Acme/Shop'), ['web'], [['api', 'the push changes nothing under services/api/']]],
    ['a tag', (p: GitHubPayload) => void (p.ref = 'refs/tags/v1'), [], [['web', 'refs/tags/v1 is not a branch: tag pushes are not deployed'], ['api', 'refs/tags/v1 is not a branch: tag pushes are not deployed']]],
    ['another branch', (p: GitHubPayload) => void (p.ref = 'refs/heads/dev'), [], [['web', 'branch dev is not the deploy branch main of web'], ['api', 'branch dev is not the deploy branch main of api']]],
    ['a deleted branch', (p: GitHubPayload) => ((p.deleted = true), void (p.after = '0'.repeat(40))), [], [['web', 'branch main was deleted'], ['api', 'branch main was deleted']]],
  ])('for %s', (_case, edit, deployed, skipped) => {
    // Act
    const plan = planPush(CONFIG, pushFixture(edit));

    // Assess
    expect(plan.deploy.map((s) => s.name)).toEqual(deployed);
    expect(plan.skipped.map((s) => [s.service, s.reason])).toEqual(skipped);
  });

  it('names an unknown repository', () => {
    const plan = planPush(CONFIG, pushFixture((p) => void (p.repository.full_name = 'acme/other')));
    expect(plan).toEqual({ deploy: [], skipped: [], unknownRepository: 'no service configured for acme/other' });
  });

  it('credits the sender', () => {
    expect(pushedBy(pushFixture())).toBe('github:octocat');
  });

  it.each([
    ['a missing ref', (p: GitHubPayload) => void delete (p as Partial<GitHubPayload>).ref, 'ref'],
    ['a head that is not a SHA', (p: GitHubPayload) => void (p.after = 'main'), 'after: a commit SHA'],
    ['no repository', (p: GitHubPayload) => void delete (p as Partial<GitHubPayload>).repository, 'repository'],
  ])('rejects %s, naming the field', (_case, edit, field) => {
    expect(() => pushFixture(edit)).toThrow(`push payload: ${field}`);
  });
});

describe('planPush: branches, paths and commits', () => {
  const config = parseConfig({
    services: [
      service('site', { repository: 'acme/site', branch: 'release/2026', paths: ['web/', 'shared/'] }),
      service('blog', { repository: 'acme/site', branch: 'main' }),
    ],
  });
  const push = (ref: string, commits: GitHubPayload['commits'], edit: (p: GitHubPayload) => void = () => undefined) =>
    pushFixture((p) => {
      p.repository.full_name = 'acme/site';
      p.ref = ref;
      p.commits = commits;
      edit(p);
    });
  const files = (...modified: string[]) => [{ added: [], removed: [], modified }];
  const outcome = (p: PushEvent) => {
    const plan = planPush(config, p);
    return { deploy: plan.deploy.map((s) => s.name), skipped: plan.skipped.map((s) => `${s.service}: ${s.reason}`) };
  };

  it.each([
    ['a branch name with a slash, under the second path', push('refs/heads/release/2026', files('shared/x.ts')), ['site'], ['blog: branch release/2026 is not the deploy branch main of blog']],
    ['an added file under the first path in the second commit', push('refs/heads/release/2026', [...files('docs/a.md'), { added: ['web/new.ts'], removed: [], modified: [] }]), ['site'], ['blog: branch release/2026 is not the deploy branch main of blog']],
    ['a file that only ends like a path', push('refs/heads/release/2026', files('docs/web/')), [], ['site: the push changes nothing under web/, shared/', 'blog: branch release/2026 is not the deploy branch main of blog']],
    ['a file whose path contains a prefix further in', push('refs/heads/release/2026', files('old/web/index.ts')), [], ['site: the push changes nothing under web/, shared/', 'blog: branch release/2026 is not the deploy branch main of blog']],
    ['a branch that only starts like the deploy branch', push('refs/heads/main-next', files('web/a.ts')), [], ['site: branch main-next is not the deploy branch release/2026 of site', 'blog: branch main-next is not the deploy branch main of blog']],
    ['a ref outside refs/heads/', push('refs/remotes/main', files('web/a.ts')), [], ['site: refs/remotes/main is not a branch: tag pushes are not deployed', 'blog: refs/remotes/main is not a branch: tag pushes are not deployed']],
    ['a head of zeros without the deleted flag', push('refs/heads/main', files('web/a.ts'), (p) => void (p.after = '0'.repeat(40))), [], ['site: branch main was deleted', 'blog: branch main was deleted']],
    ['the deleted flag with a head commit', push('refs/heads/main', files('web/a.ts'), (p) => void (p.deleted = true)), [], ['site: branch main was deleted', 'blog: branch main was deleted']],
    ['a head that merely starts with zeros', push('refs/heads/main', files('web/a.ts'), (p) => void (p.after = `000${'a'.repeat(37)}`)), ['blog'], ['site: branch main is not the deploy branch release/2026 of site']],
    ['a head that merely ends with zeros', push('refs/heads/main', files('web/a.ts'), (p) => void (p.after = `${'a'.repeat(37)}000`)), ['blog'], ['site: branch main is not the deploy branch release/2026 of site']],
  ])('for %s', (_case, p, deploy, skipped) => {
    expect(outcome(p)).toEqual({ deploy, skipped });
  });
});

describe('parsePush', () => {
  const raw = (edit: (p: Record<string, unknown>) => void) => {
    const { payload } = fixture<{ payload: Record<string, unknown> }>('github/push');
    edit(payload);
    return payload;
  };

  it('reads a push with only the fields GitHub always sends, with defaults for the others', () => {
    const minimal = { ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { full_name: 'acme/shop' }, pusher: { name: 'octocat' } };
    expect(parsePush(minimal)).toEqual({ ...minimal, deleted: false, commits: [] });
  });

  it('reads commits without file lists as changing nothing', () => {
    expect(parsePush(raw((p) => void (p.commits = [{ id: 'x' }]))).commits).toEqual([{ added: [], removed: [], modified: [] }]);
  });

  it('accepts the 64-character commit ids of SHA-256 repositories', () => {
    expect(parsePush(raw((p) => void (p.after = 'b'.repeat(64)))).after).toBe('b'.repeat(64));
  });

  it('credits the pusher when GitHub names no sender', () => {
    expect(pushedBy(parsePush(raw((p) => void delete p.sender)))).toBe('github:octocat');
    expect(pushedBy(parsePush(raw((p) => ((p.sender = { login: 'hubot' }), void (p.pusher = { name: 'octocat' })))))).toBe('github:hubot');
  });

  it.each([
    ['a head in capitals', (p: Record<string, unknown>) => void (p.after = 'A'.repeat(40)), 'push payload: after: a commit SHA'],
    ['a head one character short', (p: Record<string, unknown>) => void (p.after = 'a'.repeat(39)), 'push payload: after: a commit SHA'],
    ['a head one character long', (p: Record<string, unknown>) => void (p.after = 'a'.repeat(41)), 'push payload: after: a commit SHA'],
    ['a head with a prefix', (p: Record<string, unknown>) => void (p.after = `x${'a'.repeat(40)}`), 'push payload: after: a commit SHA'],
    ['a head with a suffix', (p: Record<string, unknown>) => void (p.after = `${'a'.repeat(64)}x`), 'push payload: after: a commit SHA'],
    ['an empty ref', (p: Record<string, unknown>) => void (p.ref = ''), 'push payload: ref: Too small: expected string to have >=1 characters'],
    ['an unnamed pusher', (p: Record<string, unknown>) => void (p.pusher = { name: '' }), 'push payload: pusher.name: Too small: expected string to have >=1 characters'],
    ['a file list that is not one', (p: Record<string, unknown>) => void (p.commits = [{ added: 'a.ts' }]), 'push payload: commits.0.added: Invalid input: expected array, received string'],
    [
      'two problems at once',
      (p: Record<string, unknown>) => ((p.ref = ''), void (p.repository = {})),
      'push payload: ref: Too small: expected string to have >=1 characters; repository.full_name: Invalid input: expected string, received undefined',
    ],
  ])('refuses %s, naming the field', (_case, edit, message) => {
    expect(() => parsePush(raw(edit))).toThrow(message);
    expect(() => parsePush(raw(edit))).toThrow(expect.objectContaining({ name: 'BadRequest' }) as Error);
  });

  it('refuses a body that is not an object', () => {
    expect(() => parsePush('push')).toThrow('push payload: (root): Invalid input: expected object, received string');
  });
});

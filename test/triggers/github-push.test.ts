// Which services a push deploys, and why not the others. Pure.
import { describe, expect, it } from 'vitest';
import { parsePush, planPush, pushedBy, type PushEvent } from '../../functions/lib/github-push.ts';
import { fixture, type GitHubPayload } from '../support/events.ts';
import { CONFIG } from './harness.ts';

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

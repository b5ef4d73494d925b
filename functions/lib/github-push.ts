// A GitHub `push` read and matched against the configuration: which services
// it deploys and, for every other, why not. Pure.
import { z } from 'zod';
import type { Config, ServiceConfig } from '../core/config.ts';
import { BadRequest } from '../core/errors.ts';

const files = z.array(z.string()).default([]);

const pushSchema = z.object({
  ref: z.string().min(1),
  /** The new head commit (all zeros when the branch was deleted). */
  after: z.string().regex(/^[0-9a-f]{40}([0-9a-f]{24})?$/, 'a commit SHA'),
  deleted: z.boolean().default(false),
  repository: z.object({ full_name: z.string().min(1) }),
  pusher: z.object({ name: z.string().min(1) }),
  sender: z.object({ login: z.string().min(1) }).optional(),
  commits: z.array(z.object({ added: files, removed: files, modified: files })).default([]),
});

export type PushEvent = z.infer<typeof pushSchema>;

export interface PushPlan {
  /** Services this push deploys (version: the head commit, or their manifest at it). */
  deploy: ServiceConfig[];
  /** Services of the repository this push does not deploy, with the reason. */
  skipped: { service: string; reason: string }[];
  /** Set when no service is configured for the repository. */
  unknownRepository?: string;
}

export function parsePush(body: unknown): PushEvent {
  const parsed = pushSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new BadRequest(`push payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}

export function planPush(config: Config, push: PushEvent): PushPlan {
  const repository = push.repository.full_name;
  const services = config.services.filter((s) => s.github.repository.toLowerCase() === repository.toLowerCase());
  if (services.length === 0) return { deploy: [], skipped: [], unknownRepository: `no service configured for ${repository}` };
  const plan: PushPlan = { deploy: [], skipped: [] };
  for (const service of services) {
    const reason = whyNot(service, push);
    if (reason) plan.skipped.push({ service: service.name, reason });
    else plan.deploy.push(service);
  }
  return plan;
}

/** Who pushed, as the history and the execution input name them. */
export function pushedBy(push: PushEvent): string {
  return `github:${push.sender?.login ?? push.pusher.name}`;
}

function whyNot(service: ServiceConfig, push: PushEvent): string | null {
  if (!push.ref.startsWith('refs/heads/')) return `${push.ref} is not a branch: tag pushes are not deployed`;
  const branch = push.ref.slice('refs/heads/'.length);
  if (push.deleted || /^0+$/.test(push.after)) return `branch ${branch} was deleted`;
  if (branch !== service.github.branch) return `branch ${branch} is not the deploy branch ${service.github.branch} of ${service.name}`;
  const { paths } = service.github;
  if (paths.length > 0 && !changedFiles(push).some((file) => paths.some((prefix) => file.startsWith(prefix)))) {
    return `the push changes nothing under ${paths.join(', ')}`;
  }
  return null;
}

function changedFiles(push: PushEvent): string[] {
  return push.commits.flatMap((c) => [...c.added, ...c.removed, ...c.modified]);
}

// Reads a service's version file (`github.manifest`) at the pushed commit
// through GitHub's contents API. The file holds the version and nothing else:
// small, one line, printable.
import { BadRequest, GitHubRequestFailed } from '../core/errors.ts';
import type { SecretReader } from './secrets.ts';

export interface ManifestReader {
  /** The trimmed content of `path` in `repository` (owner/name) at commit `ref`. */
  read(repository: string, path: string, ref: string): Promise<string>;
}

export const MAX_VERSION_LENGTH = 128;
const MAX_FILE_BYTES = 1024;

export function createManifestReader(options: { token: SecretReader; baseUrl?: string; timeoutMs?: number }): ManifestReader {
  const baseUrl = options.baseUrl ?? 'https://api.github.com';
  return {
    async read(repository, path, ref) {
      const url = `${baseUrl}/repos/${repository}/contents/${path.split('/').map(encodeURIComponent).join('/')}?ref=${encodeURIComponent(ref)}`;
      const where = `${path} in ${repository} at ${ref}`;
      let res: Response;
      try {
        res = await fetch(url, {
          headers: {
            accept: 'application/vnd.github.raw+json',
            authorization: `Bearer ${await options.token()}`,
            'x-github-api-version': '2022-11-28',
            'user-agent': 'bluegreen',
          },
          signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
        });
      } catch (error) {
        throw new GitHubRequestFailed(`reading ${where} failed: ${(error as Error).name}`, { cause: error });
      }
      if (res.status === 404) throw new BadRequest(`manifest ${where} does not exist`);
      if (!res.ok) throw new GitHubRequestFailed(`reading ${where} failed: GitHub answered ${res.status}`);
      const bytes = Buffer.from(await res.arrayBuffer());
      if (bytes.length > MAX_FILE_BYTES) throw new BadRequest(`manifest ${where} is ${bytes.length} bytes; a version file holds one short line`);
      const version = bytes.toString('utf8').trim();
      if (version === '' || version.length > MAX_VERSION_LENGTH || !/^[\x21-\x7e]+$/.test(version)) {
        throw new BadRequest(`manifest ${where} must hold one version of 1 to ${MAX_VERSION_LENGTH} printable characters without spaces`);
      }
      return version;
    },
  };
}

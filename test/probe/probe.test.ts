// The probe function (functions/probe.ts), the smoke test of a service behind
// an internal load balancer: invoked with one request to make, it makes it
// against a real HTTP server on loopback and answers the verdict the step
// function turns into a pass or SmokeTestFailed.
import { Logger } from '@aws-lambda-powertools/logger';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadRequest } from '../../functions/core/errors.ts';
import { createProbeHandler } from '../../functions/probe.ts';

let server: Server;
let url: string;
/** What the load balancer answers next, and what it was sent. */
let answer: (headers: IncomingHttpHeaders) => { status: number; body: string } | 'never';

beforeAll(async () => {
  server = createServer((req, res) => {
    const next = answer(req.headers);
    if (next === 'never') return; // a listener that takes the connection and never answers
    res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/version`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const probe = createProbeHandler({ fetch: globalThis.fetch, logger: new Logger({ logLevel: 'SILENT' }) });
const check = (extra: Record<string, unknown> = {}) => ({ url, headers: { 'x-client-mode': 'green' }, timeoutMs: 2_000, expectStatus: 200, ...extra });
const byMode = (headers: IncomingHttpHeaders) => ({ status: 200, body: JSON.stringify({ build: { version: headers['x-client-mode'] === 'green' ? '2.0.0' : '1.0.0' } }) });

describe('the probe', () => {
  it('passes when the answer has the expected status and, sent with the given headers, names the expected version', async () => {
    answer = byMode;

    await expect(probe(check({ version: { field: 'build.version', expected: '2.0.0' } }))).resolves.toEqual({ passed: true, status: 200 });
  });

  it('passes on the status alone when no version is asked for', async () => {
    answer = () => ({ status: 204, body: '' });

    await expect(probe(check({ expectStatus: 204 }))).resolves.toEqual({ passed: true, status: 204 });
  });

  it('fails naming both versions when the answer comes from the live release', async () => {
    answer = byMode;

    await expect(probe(check({ headers: {}, version: { field: 'build.version', expected: '2.0.0' } }))).resolves.toEqual({
      passed: false,
      problem: 'reached version "1.0.0" (field "build.version"), expected 2.0.0',
    });
  });

  it('fails naming the status when it is not the expected one', async () => {
    answer = () => ({ status: 503, body: 'unavailable' });

    await expect(probe(check())).resolves.toEqual({ passed: false, problem: 'answered 503, expected 200' });
  });

  it('fails naming the socket error when nothing listens (a security group or port that does not reach the listener)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    await expect(probe(check({ url: `http://127.0.0.1:${port}/` }))).resolves.toEqual({ passed: false, problem: 'failed: fetch failed (ECONNREFUSED)' });
  });

  it('gives up after its timeout when the listener never answers', async () => {
    answer = () => 'never';
    const started = Date.now();

    const verdict = await probe(check({ timeoutMs: 300 }));

    expect(verdict).toMatchObject({ passed: false, problem: expect.stringMatching(/^failed: .*timeout/i) as unknown });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('refuses an event that is not a smoke check, naming the field', async () => {
    const run = probe({ ...check(), url: 'not a url' });

    await expect(run).rejects.toBeInstanceOf(BadRequest);
    await expect(run).rejects.toThrow('not a smoke check: url: Invalid URL');
  });
});

// DynamoDB for local runs and tests: dynalite (LevelDB in memory) on a free
// loopback port.
import type { AddressInfo } from 'node:net';

export interface LocalDynamoDb {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynamoDb> {
  const { default: dynalite } = await import('dynalite');
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => new Promise((r) => server.close(() => r())) };
}

// Release numbers from the deployment store (dynalite): they only go up, so a
// name of a deleted release (its Auto Scaling group may still be deleting) is
// never given to a new one.
import { DynamoDBClient, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDeploymentStore, deploymentTableDefinition, type DeploymentStore } from '../../functions/adapters/store.ts';
import { emulatorClientConfig, startDynalite, type RunningServer } from '../support/servers.ts';

let dynalite: RunningServer;
let doc: DynamoDBDocumentClient;
let store: DeploymentStore;

beforeAll(async () => {
  dynalite = await startDynalite();
  doc = DynamoDBDocumentClient.from(new DynamoDBClient(emulatorClientConfig(dynalite.endpoint)));
});
afterAll(() => dynalite.stop());
beforeEach(async () => {
  const tableName = `deployments-${randomBytes(4).toString('hex')}`;
  await doc.send(new CreateTableCommand(deploymentTableDefinition(tableName)));
  store = createDeploymentStore(doc, tableName);
});

describe('release numbers', () => {
  it('never gives a number twice: after release 3 is rolled back and deleted, the next release is 4', async () => {
    // Act: releases 1, 2, 3 are made; 3 is deleted, so what exists says "next is 3".
    const made = [
      await store.nextReleaseNumber('web', { executionName: 'e1', atLeast: 1 }),
      await store.nextReleaseNumber('web', { executionName: 'e2', atLeast: 2 }),
      await store.nextReleaseNumber('web', { executionName: 'e3', atLeast: 3 }),
    ];
    const afterRollback = await store.nextReleaseNumber('web', { executionName: 'e4', atLeast: 3 });

    // Assess
    expect(made).toEqual([1, 2, 3]);
    expect(afterRollback).toBe(4);
  });

  it('starts above the releases that exist, and keeps services apart', async () => {
    expect(await store.nextReleaseNumber('web', { executionName: 'e1', atLeast: 8 })).toBe(8);
    expect(await store.nextReleaseNumber('web', { executionName: 'e2', atLeast: 1 })).toBe(9);
    expect(await store.nextReleaseNumber('api', { executionName: 'e3', atLeast: 1 })).toBe(1);
  });

  it('gives a retried step of the same execution the number it was given', async () => {
    const first = await store.nextReleaseNumber('web', { executionName: 'e1', atLeast: 1 });
    const retried = await store.nextReleaseNumber('web', { executionName: 'e1', atLeast: 1 });

    expect([first, retried]).toEqual([1, 1]);
  });

  it('gives callers racing each other different numbers', async () => {
    const numbers = await Promise.all(['a', 'b', 'c', 'd', 'e'].map((executionName) => store.nextReleaseNumber('web', { executionName, atLeast: 1 })));

    expect([...numbers].sort()).toEqual([1, 2, 3, 4, 5]);
  });
});

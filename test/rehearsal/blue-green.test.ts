// The local rehearsal, shortened, for every scenario of the blue-green strategy.
import { describe, it } from 'vitest';
import { SCENARIOS } from '../../local/rehearsal.ts';
import { rehearseAndCheck } from './expectations.ts';

describe('rehearsal: blue-green', () => {
  it.each(SCENARIOS)('%s: no failed request, versions in order, the scenario outcome', async (scenario) => {
    await rehearseAndCheck('blue-green', scenario);
  }, 60_000);
});

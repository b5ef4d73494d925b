// The local rehearsal, shortened, for every scenario of the weighted-canary strategy.
import { describe, it } from 'vitest';
import { SCENARIOS } from '../../local/rehearsal.ts';
import { rehearseAndCheck } from './expectations.ts';

describe('rehearsal: weighted-canary', () => {
  it.each(SCENARIOS)('%s: no failed request, versions in order, the scenario outcome', async (scenario) => {
    await rehearseAndCheck('weighted-canary', scenario);
  }, 60_000);
});

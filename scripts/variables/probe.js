// serverless.yml's HasProbe condition, decided when the stack is packaged:
// `${file(./scripts/variables/probe.js):hasProbe}` is 'true' when the stack is
// deployed with the probe parameters (probeSubnetIds, probeSecurityGroupIds).
// Packaging stops when only one of them is given, and when a service of
// services.json asks for `smokeTest.from: "vpc"` of a stack without the probe,
// naming the field.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The file `package.patterns` ships with every function (BLUEGREEN_CONFIG_FILE). */
const CONFIG_FILE = join(import.meta.dirname, '../../services.json');

export const hasProbe = async ({ resolveVariable }) => {
  const subnets = String(await resolveVariable('param:probeSubnetIds')).trim();
  const securityGroups = String(await resolveVariable('param:probeSecurityGroupIds')).trim();
  if ((subnets === '') !== (securityGroups === '')) {
    throw new Error('the probe function needs both probeSubnetIds and probeSecurityGroupIds (comma-separated IDs), or neither');
  }
  const present = subnets !== '';
  if (present) {
    // Lambda's VpcConfig: at most 16 subnets and 5 security groups.
    checkIds('probeSubnetIds', subnets, /^subnet-[0-9a-f]+$/, 16);
    checkIds('probeSecurityGroupIds', securityGroups, /^sg-[0-9a-f]+$/, 5);
  }
  const { parseConfig, probeProblems } = await import('../../functions/core/config.ts');
  const { ConfigInvalid } = await import('../../functions/core/errors.ts');
  const problems = probeProblems(parseConfig(JSON.parse(await readFile(CONFIG_FILE, 'utf8'))), present);
  if (problems.length > 0) throw new ConfigInvalid(`invalid configuration: ${problems.join('; ')}`);
  return String(present);
};

function checkIds(parameter, value, pattern, most) {
  const ids = value.split(',');
  const bad = ids.filter((id) => !pattern.test(id));
  if (bad.length > 0) throw new Error(`${parameter}: not an ID: ${bad.map((id) => JSON.stringify(id)).join(', ')} (comma-separated, no spaces)`);
  if (ids.length > most) throw new Error(`${parameter}: ${ids.length} IDs, Lambda takes at most ${most}`);
}

/**
 * @jest-environment node
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROVISIONING_RULES_PATH, provisioningRulesYaml } from './provisioning';

describe('the compose stack rule file', () => {
  it('is what the generator writes now (run `npm run rules:provisioning` after changing rules)', () => {
    const onDisk = readFileSync(join(__dirname, '..', '..', PROVISIONING_RULES_PATH), 'utf8');
    expect(onDisk).toBe(provisioningRulesYaml());
  });
});

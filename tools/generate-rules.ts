// Writes the compose stack's alerting rules (src/rules/provisioning.ts says what for).
import { writeFileSync } from 'node:fs';
import { PROVISIONING_RULES_PATH, provisioningRulesYaml } from '../src/rules/provisioning';

writeFileSync(PROVISIONING_RULES_PATH, provisioningRulesYaml());
process.stdout.write(`wrote ${PROVISIONING_RULES_PATH}\n`);

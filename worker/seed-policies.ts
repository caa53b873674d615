import fs from 'node:fs';
import path from 'node:path';
import type { Db } from 'mongodb';
import type { Logger } from '../lib/logger';
import { InvalidPolicyError, missingVerdictSecrets, parsePolicyFile } from '../shared/policy-file';
import { collections } from '../store/collections';
import { policyStore } from '../store/policies';

/**
 * At worker start: the policies of `file` (when it exists) are written to MongoDB, each replacing the
 * stored policy of its alert type; types the file does not name are left alone. An invalid file stops
 * the start (InvalidPolicyError naming each field) rather than run with policies nobody meant, and so
 * does a verdict receiver whose secret VOUCH_VERDICT_SECRETS lacks.
 */
export async function seedPolicies(
  db: Db,
  file: string,
  logger: Logger,
  webhookSecrets: Readonly<Record<string, string>> = {},
  verdictSecrets: Readonly<Record<string, string>> = {},
): Promise<{ type: string; result: string }[]> {
  if (!fs.existsSync(file)) {
    logger.info({ file }, 'no policies file: policies are managed with `vouch policy` only');
    return [];
  }
  const policies = parsePolicyFile(fs.readFileSync(file, 'utf8'), file);
  const missing = missingVerdictSecrets(policies, verdictSecrets);
  if (missing.length > 0) throw new InvalidPolicyError(file, missing);
  const store = policyStore(collections(db));
  const results: { type: string; result: string }[] = [];
  for (const [type, settings] of policies) {
    results.push({ type, result: await store.set(type, settings, `seed:${path.basename(file)}`) });
    // Valid, but it would fail at the first escalation: say so now.
    const secret = (settings as { escalation?: { webhook?: { secret?: string } } }).escalation?.webhook
      ?.secret;
    if (secret && !(secret in webhookSecrets))
      logger.warn(
        { type, secret },
        `policy ${type}: its webhook names the secret "${secret}", which VOUCH_WEBHOOK_SECRETS does not have; its escalations will not reach the webhook`,
      );
  }
  logger.info(
    { file, seeded: results.map((r) => `${r.type} (${r.result})`) },
    `seeded ${results.length} polic${results.length === 1 ? 'y' : 'ies'} from ${path.basename(file)}`,
  );
  return results;
}

import fs from 'node:fs';
import os from 'node:os';
import type { Command } from 'commander';
import YAML from 'yaml';
import { loadConfig } from '../lib/config';
import { policySchema, suppressionScope, suppressionWarning } from '../shared/policy';
import {
  InvalidPolicyError,
  type PolicySettings,
  effectivePolicy,
  missingVerdictSecrets,
  parsePolicyFile,
} from '../shared/policy-file';
import { policySettings, policyStore } from '../store/policies';
import { UsageError } from './alert-command';
import { NotFoundError, withStore } from './store';
import { printJson, printLine, printText } from './output';

/** `vouch policy list|show|set|delete`: the per-alert-type policies in MongoDB. */
export function registerPolicyCommands(program: Command): void {
  const policy = program
    .command('policy')
    .description('Manage the policies that decide how each alert type is handled.')
    .addHelpText(
      'after',
      '\nA policy is stored per alert type ("default" covers types without one). Fields: see README, "Policies".\n' +
        'Exit codes: 0 ok, 1 not found or MongoDB unreachable, 2 invalid policy or usage.',
    );

  policy
    .command('list')
    .description('List the stored policies with their main settings.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      const docs = await withStore(loadConfig(), (c) => policyStore(c).list());
      const rows = docs.map((doc) => ({
        type: doc._id,
        settings: maskSecrets(policySettings(doc)),
        updatedAt: doc.updatedAt,
        updatedBy: doc.updatedBy,
      }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0)
        return printLine('No policies stored: every alert type gets the built-in default.');
      for (const row of rows) printLine(describePolicyLine(row.type, row.settings, row));
      if (!rows.some((r) => r.type === 'default'))
        printLine('(no "default" policy: other types get the built-in default)');
    });

  policy
    .command('show <alertType>')
    .description('Print the policy of an alert type as YAML (routing keys hidden unless --reveal).')
    .option('--effective', 'the policy an alert of this type gets: defaults filled in, "default" as fallback')
    .option('--reveal', 'print PagerDuty routing keys in full')
    .option('--json', 'print as JSON')
    .action(async (alertType: string, opts: { effective?: boolean; reveal?: boolean; json?: boolean }) => {
      const config = loadConfig();
      const shown = await withStore(config, async (c) => {
        const store = policyStore(c);
        if (opts.effective) {
          const { policy: effective, source } = await store.resolve(alertType);
          return { source, settings: effective as unknown as PolicySettings };
        }
        const doc = await store.get(alertType);
        if (!doc)
          throw new NotFoundError(
            `no policy stored for "${alertType}" (--effective shows the policy it gets)`,
          );
        return { source: `policies/${alertType}`, settings: policySettings(doc) };
      });
      const settings = opts.reveal ? shown.settings : maskSecrets(shown.settings);
      if (opts.json) return printJson({ type: alertType, ...shown, settings });
      printLine(
        `# ${alertType}: ${opts.effective ? `effective policy, from ${shown.source}` : shown.source}`,
      );
      printText(YAML.stringify(settings));
      warnAboutSuppression(alertType, shown.settings);
    });

  policy
    .command('set <file>')
    .description(
      'Store policies from a YAML or JSON file, "-" for standard input (each replaces the stored policy of its type).',
    )
    .option(
      '--type <alertType>',
      'the file holds one policy, for this type (otherwise it maps types to policies)',
    )
    .option('--dry-run', 'only validate the file')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      '\nExamples:\n  vouch policy set policies.yml\n  vouch policy set root-login.json --type aws.root_login\n' +
        '  vouch policy set policies.yml --dry-run',
    )
    .action(async (file: string, opts: { type?: string; dryRun?: boolean; json?: boolean }) => {
      const policies = parsePolicyFile(readText(file), file, opts.type);
      const config = loadConfig();
      const missing = missingVerdictSecrets(policies, config.verdicts.secrets);
      if (missing.length > 0) throw new InvalidPolicyError(file, missing);
      for (const [type, settings] of policies) {
        warnAboutSuppression(type, settings);
        const secret = effectivePolicy(settings).escalation.webhook?.secret;
        if (secret && !(secret in config.escalation.webhookSecrets))
          console.error(
            `warning: ${type}.escalation.webhook.secret: "${secret}" is not in VOUCH_WEBHOOK_SECRETS here; the worker needs it`,
          );
      }
      const results: { type: string; result: string }[] = [];
      if (opts.dryRun) for (const type of policies.keys()) results.push({ type, result: 'valid' });
      else
        await withStore(config, async (c) => {
          for (const [type, settings] of policies)
            results.push({
              type,
              result: await policyStore(c).set(type, settings, `cli:${os.userInfo().username}`),
            });
        });
      if (opts.json) return printJson(results, { compact: true });
      for (const r of results) printLine(`${r.type}: ${r.result}`);
    });

  policy
    .command('delete <alertType>')
    .description('Delete the policy of an alert type (its alerts then get the "default" policy).')
    .action(async (alertType: string) => {
      const deleted = await withStore(loadConfig(), (c) => policyStore(c).delete(alertType));
      if (!deleted) throw new NotFoundError(`no policy stored for "${alertType}"`);
      printLine(`Deleted the policy of ${alertType}.`);
    });
}

/** A type-wide suppression is allowed when written out, and said out loud (on stderr) each time. */
function warnAboutSuppression(type: string, settings: PolicySettings): void {
  const suppression = policySchema.shape.suppression.safeParse(settings.suppression);
  const warning = suppression.success ? suppressionWarning(suppression.data) : null;
  if (warning) console.error(`warning: ${type}: ${warning}`);
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
}

/** The PagerDuty routing key as its last four characters: enough to tell keys apart, useless to abuse. */
function maskSecrets(settings: PolicySettings): PolicySettings {
  const escalation = settings.escalation as { pagerDuty?: { routingKey?: string } } | undefined;
  const key = escalation?.pagerDuty?.routingKey;
  if (!key) return settings;
  return {
    ...settings,
    escalation: { ...escalation, pagerDuty: { ...escalation.pagerDuty, routingKey: `…${key.slice(-4)}` } },
  };
}

function describePolicyLine(
  type: string,
  settings: PolicySettings,
  meta: { updatedAt: Date; updatedBy: string },
): string {
  const parsed = policySchema.safeParse({ ...settings, escalation: {} });
  if (!parsed.success)
    return `${type.padEnd(28)} INVALID (vouch policy show ${type}; alerts fall back to "default")`;
  const p = parsed.data;
  const raw = settings.escalation as Record<string, unknown> | undefined;
  const targets = ['channel', 'pagerDuty', 'webhook'].filter((t) => raw?.[t] !== undefined);
  const parts = [
    p.enabled ? p.mode : 'disabled',
    `deadline ${p.deadline}`,
    p.secondFactor.required ? `2FA ×${p.secondFactor.attempts}` : 'no 2FA',
    `suppress ${p.suppression.window} (${suppressionScope(p.suppression)})`,
    `escalate to ${['security channel', ...targets.filter((t) => t !== 'channel')].join(' + ')}`,
  ];
  return `${type.padEnd(28)} ${parts.join(', ')}  (${meta.updatedAt.toISOString()} by ${meta.updatedBy})`;
}

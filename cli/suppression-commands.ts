import os from 'node:os';
import { type Command, Option } from 'commander';
import { loadConfig } from '../lib/config';
import { alertStore } from '../store/alerts';
import { suppressionStore, type SuppressionView } from '../store/suppressions';
import { NotFoundError, withStore } from './store';
import { printJson, printLine } from './output';

/** `vouch suppressions list|revoke`: what verified confirmations currently keep quiet. */
export function registerSuppressionCommands(program: Command): void {
  const suppressions = program
    .command('suppressions')
    .description(
      'List or revoke the suppressions created by verified confirmations (and the snoozes employees asked for).',
    )
    .addHelpText('after', '\nExit codes: 0 ok, 1 not found or MongoDB unreachable, 2 usage.');

  suppressions
    .command('list')
    .description('Live suppressions, each with the verified confirmation that created it and its expiry.')
    .option('--all', 'include expired and revoked ones')
    .option('--json', 'print as JSON')
    .action(async (opts: { all?: boolean; json?: boolean }) => {
      const rows = await withStore(loadConfig(), (c) => suppressionStore(c).list({ all: opts.all }));
      if (opts.json) return printJson(rows);
      if (rows.length === 0) return printLine(opts.all ? 'No suppressions.' : 'No live suppressions.');
      for (const s of rows) printLine(describeSuppression(s));
    });

  suppressions
    .command('revoke <suppressionId>')
    .description('End a suppression now: the next alert of its scope is interviewed again.')
    .option('-n, --note <text>', 'why (kept on the suppression and in the audit trail of its alert)')
    .addOption(new Option('--operator <name>', 'who revokes').default(`cli:${os.userInfo().username}`))
    .action(async (id: string, opts: { note?: string; operator: string }) => {
      const before = await withStore(loadConfig(), async (c) => {
        const previous = await suppressionStore(c).revoke(id, opts.operator, opts.note);
        if (previous)
          await alertStore(c).appendAudit(
            previous.createdByAlertId,
            `suppression-revoked:${id}:${Date.now()}`,
            {
              at: new Date().toISOString(),
              actor: opts.operator,
              kind: 'suppression_revoked',
              suppressionId: id,
              ...(opts.note ? { note: opts.note } : {}),
            },
          );
        return previous;
      });
      if (!before) throw new NotFoundError(`no suppression ${id} (vouch suppressions list --all shows them)`);
      const wasLive = !before.revokedAt && before.expiresAt > new Date();
      printLine(
        wasLive
          ? `Revoked ${id}: the next alert of this scope will be interviewed.`
          : `Revoked ${id} (it had already ${before.revokedAt ? 'been revoked' : 'expired'}).`,
      );
    });
}

const SCOPE_TEXT: Record<SuppressionView['scope'], string> = {
  details: 'all details (alerts of this type whose non-sensitive details all match)',
  keys: "named keys (alerts of this type with the same values of the policy's suppression.keys)",
  type: 'type-wide (every alert of this type: the policy says scope: type)',
  legacy: 'made before suppression scopes; no longer applied, kept until it expires',
};

function describeSuppression(s: SuppressionView): string {
  const until =
    s.state === 'revoked'
      ? `revoked ${s.revokedAt!.toISOString()} by ${s.revokedBy}${s.revokeNote ? ` (${s.revokeNote})` : ''}`
      : `${s.state === 'live' ? 'expires' : 'expired'} ${s.expiresAt.toISOString()}`;
  const by = s.createdBy;
  const snooze = s.snooze;
  return [
    `${s._id}  [${s.state}]${snooze ? ' snooze' : ''}`,
    `  employee ${s.slackUserId ?? s.email}, alert type ${s.alertType}; ${until}`,
    `  covers: ${SCOPE_TEXT[s.scope]}`,
    ...(snooze
      ? [
          `  snooze asked by ${snooze.requestedBy} for ${snooze.duration}${snooze.reason ? `: "${snooze.reason}"` : ''}${snooze.approvedBy ? `; approved by ${snooze.approvedBy}` : ''}`,
        ]
      : []),
    `  created by alert ${by._id}: "${by.title}" (${by.occurredAt}), ${by.outcome ?? 'no outcome'} at ${by.closedAt?.toISOString() ?? '?'}${by.justification ? `; employee said: ${by.justification}` : ''}`,
  ].join('\n');
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import QRCode from 'qrcode';
import { type Config, loadConfig } from '../lib/config';
import { keyId } from '../lib/secret-box';
import { createSlackClient } from '../activities/slack-client';
import { resolveEmployee } from '../activities/employees';
import { collections, type Collections } from '../store/collections';
import { connectMongo } from '../store/mongo';
import { EnrollmentError, secondFactors, type SecondFactors } from '../store/second-factors';
import { readEmbeddedKey } from '../infra/encryption-key';
import { progressLine } from '../lib/progress';

/**
 * `vouch enroll <employee>` and `vouch factor enroll|confirm|reset|revoke|unlock|list|history|rotate-key`:
 * the operator's side of second-factor enrollment. Secrets are shown once, to the operator's terminal
 * and a QR image file, to hand to the employee in person or over another trusted channel.
 */
const actorOption = () =>
  new Option('--actor <name>', 'who makes the change (kept in the record)').default(
    `cli:${os.userInfo().username}`,
  );

export function registerFactorCommands(program: Command): void {
  const factor = program
    .command('factor')
    .description("Manage employees' second factors (TOTP): enroll, confirm, reset, revoke, list.");

  const enrollAction = async (who: string, opts: EnrollOptions) => enroll(who, opts, false);
  addEnrollOptions(
    program
      .command('enroll <employee>')
      .description('Enroll an employee (email or Slack user id) in TOTP; same as "vouch factor enroll".'),
  ).action(enrollAction);
  addEnrollOptions(
    factor
      .command('enroll <employee>')
      .description('Create a TOTP secret for an employee (email or Slack id).'),
  ).action(enrollAction);
  addEnrollOptions(
    factor
      .command('reset <employee>')
      .description("Replace an employee's secret (lost phone): the old one stops working at once."),
  ).action(async (who: string, opts: EnrollOptions) => enroll(who, opts, true));

  factor
    .command('confirm <employee> <code>')
    .description("Activate a pending enrollment with the first code from the employee's app.")
    .addOption(actorOption())
    .action(async (who: string, code: string, opts: { actor: string }) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        await factors.confirm(employee.slackUserId, code, opts.actor, new Date());
        console.log(`Second factor of ${describe(employee)} is active.`);
      }),
    );

  factor
    .command('revoke <employee>')
    .description("Remove an employee's second factor (their interviews then count as not enrolled).")
    .option('--reason <text>', 'why (kept in the record)')
    .addOption(actorOption())
    .action(async (who: string, opts: { actor: string; reason?: string }) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        await factors.revoke(employee.slackUserId, opts.actor, new Date(), opts.reason);
        console.log(`Second factor of ${describe(employee)} revoked.`);
      }),
    );

  factor
    .command('unlock <employee>')
    .description('Lift a lockout after too many wrong codes.')
    .addOption(actorOption())
    .action(async (who: string, opts: { actor: string }) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        await factors.unlock(employee.slackUserId, opts.actor, new Date());
        console.log(`Second factor of ${describe(employee)} unlocked.`);
      }),
    );

  factor
    .command('list')
    .description('List enrollments: status (pending, active, locked), key id, who enrolled them.')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) =>
      withFactors(async ({ factors }) => {
        const rows = await factors.list(new Date());
        if (opts.json) return console.log(JSON.stringify(rows, null, 2));
        if (rows.length === 0) return console.log('No one is enrolled.');
        for (const r of rows)
          console.log(
            [
              (r.email ?? '-').padEnd(32),
              r.slackUserId.padEnd(12),
              r.status.padEnd(8),
              `key ${r.keyId}`,
              `enrolled ${r.enrolledAt.toISOString()} by ${r.enrolledBy}`,
              r.lockedUntil ? `locked until ${r.lockedUntil.toISOString()}` : '',
            ].join('  '),
          );
      }),
    );

  factor
    .command('history <employee>')
    .description("Every change to an employee's second factor, with who made it.")
    .option('--json', 'print as JSON')
    .action(async (who: string, opts: { json?: boolean }) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        const events = await factors.history(employee.slackUserId);
        if (opts.json) return console.log(JSON.stringify(events, null, 2));
        for (const e of events)
          console.log(
            `${e.at.toISOString()}  ${e.action.padEnd(9)}  ${e.actor}${e.detail ? `  ${e.detail}` : ''}`,
          );
      }),
    );

  factor
    .command('rotate-key')
    .description(
      'Re-encrypt every secret under a new key. Reads the current key from VOUCH_ENCRYPTION_KEY (or ' +
        'data/encryption.key) and the new one from --new-key-file; then set VOUCH_ENCRYPTION_KEY to the ' +
        'new key, list the old one in VOUCH_PREVIOUS_ENCRYPTION_KEYS (Temporal histories it sealed stay ' +
        'readable), and restart the worker, bot and codec server. Safe to run again if interrupted.',
    )
    .requiredOption(
      '--new-key-file <file>',
      'file holding the new key (32 bytes, base64: openssl rand -base64 32)',
    )
    .addOption(actorOption())
    .action(async (opts: { newKeyFile: string; actor: string }) =>
      withFactors(async ({ factors, key }) => {
        const newKey = readKeyFile(opts.newKeyFile);
        const bar = progressLine('re-encrypting');
        const result = await factors.rotate(newKey, opts.actor, new Date(), bar.update);
        bar.done();
        console.log(
          `Re-encrypted ${result.rotated} secret(s) from key ${keyId(key!)} to key ${keyId(newKey)}` +
            (result.alreadyRotated ? ` (${result.alreadyRotated} already under the new key)` : '') +
            `.\nNow set VOUCH_ENCRYPTION_KEY to the new key, add the old key (${keyId(key!)}) to ` +
            'VOUCH_PREVIOUS_ENCRYPTION_KEYS so the Temporal histories it sealed stay readable, and restart ' +
            'the worker, the bot and the codec server together (see "vouch factor keys").',
        );
      }),
    );

  factor
    .command('keys')
    .description(
      'The encryption keys in use, by key id: the current one (seals everything new) and the previous ones ' +
        '(VOUCH_PREVIOUS_ENCRYPTION_KEYS: still open Temporal payloads sealed before a rotation), with the ' +
        'number of second-factor secrets under each.',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) =>
      withFactors(async ({ factors, key, config }) => {
        const secrets = new Map<string, number>();
        for (const row of await factors.list(new Date()))
          secrets.set(row.keyId, (secrets.get(row.keyId) ?? 0) + 1);
        const rows = [
          ...(key ? [{ keyId: keyId(key), role: 'current' }] : []),
          ...config.previousEncryptionKeys.map((k) => ({ keyId: keyId(k), role: 'previous' })),
        ].map((r) => ({ ...r, secrets: secrets.get(r.keyId) ?? 0 }));
        const stranded = [...secrets.entries()].filter(([id]) => !rows.some((r) => r.keyId === id));
        if (opts.json)
          return console.log(JSON.stringify({ keys: rows, unknownSecretKeys: stranded }, null, 2));
        if (rows.length === 0) console.log('No VOUCH_ENCRYPTION_KEY is set: nothing is encrypted.');
        for (const r of rows)
          console.log(
            `key ${r.keyId}  ${r.role.padEnd(8)}  ${r.role === 'current' ? 'seals and opens' : 'opens only'}` +
              `  ${r.secrets} second-factor secret(s)`,
          );
        for (const [id, n] of stranded)
          console.log(
            `key ${id}  unknown   ${n} second-factor secret(s) under a key that is not configured: finish the rotation (vouch factor rotate-key)`,
          );
      }),
    );
}

interface EnrollOptions {
  qrFile?: string;
  actor: string;
  slackUser?: string;
}

function addEnrollOptions(cmd: Command): Command {
  return cmd
    .option('--qr-file <file>', 'where to write the QR code image (PNG, mode 0600)')
    .addOption(actorOption());
}

async function enroll(who: string, opts: EnrollOptions, replace: boolean): Promise<void> {
  await withFactors(async ({ factors, c, config }) => {
    const employee = await findEmployee(config, c, who);
    const { secret, uri } = await factors.begin(employee, opts.actor, new Date(), {
      replace: replace ? 'now' : undefined,
    });
    const file = path.resolve(opts.qrFile ?? `vouch-enroll-${employee.slackUserId}.png`);
    await writeQrFile(file, uri);
    const terminalQr = await QRCode.toString(uri, { type: 'terminal', small: true });
    console.log(
      [
        `${replace ? 'New secret' : 'Enrollment'} for ${describe(employee)} (pending until confirmed).`,
        'Hand it to the employee in person or over a trusted channel, never through Slack.',
        '',
        terminalQr,
        `QR code image: ${file} (delete it once scanned)`,
        `Secret (for typing in): ${secret.replace(/(.{4})/g, '$1 ').trim()}`,
        `URI: ${uri}`,
        '',
        `Then confirm with the first code from their app: vouch factor confirm ${who} <code>`,
      ].join('\n'),
    );
  });
}

async function writeQrFile(file: string, uri: string): Promise<void> {
  const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, png, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

type Context = { factors: SecondFactors; c: Collections; config: Config; key: Buffer | undefined };

async function withFactors(use: (ctx: Context) => Promise<void>): Promise<void> {
  const config = loadConfig();
  // With the embedded stack, the CLI reads the key npm start made (it never makes one).
  const key = config.encryptionKey ?? readEmbeddedKey(config.dataDir);
  const mongo = await connectMongo(config.mongo.url, config.mongo.db);
  try {
    const c = collections(mongo.db);
    await use({ factors: secondFactors(c, key), c, config, key });
  } finally {
    await mongo.close();
  }
}

function readKeyFile(file: string): Buffer {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (err) {
    throw new EnrollmentError(`cannot read the key file ${file}: ${(err as Error).message}`);
  }
  const key = Buffer.from(text, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text) || key.length !== 32)
    throw new EnrollmentError(
      `${file} does not hold a key: expected 32 bytes in base64 (openssl rand -base64 32)`,
    );
  return key;
}

type Employee = { slackUserId: string; email?: string; name?: string };

/** An employee by Slack user id, or by email (Vouch's records, then Slack's users.lookupByEmail). */
async function findEmployee(config: Config, c: Collections, who: string): Promise<Employee> {
  if (/^[UW][A-Z0-9]{2,}$/.test(who)) {
    const doc = await c.employees.findOne({ _id: who });
    return { slackUserId: who, email: doc?.email, name: doc?.name };
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(who))
    throw new EnrollmentError(`"${who}" is neither an email address nor a Slack user id (U…)`);
  const email = who.toLowerCase();
  const known = await c.employees.findOne({ email });
  if (known) return { slackUserId: known._id, email, name: known.name };
  if (!config.slack.botToken)
    throw new EnrollmentError(
      `no employee with email ${email} is known to Vouch: set SLACK_BOT_TOKEN so Vouch can look them up in Slack, or pass their Slack user id (U…)`,
    );
  const slack = createSlackClient(config.slack.botToken, config.slack.apiUrl);
  const found = await resolveEmployee(c, slack, { email }, new Date());
  if (!found) throw new EnrollmentError(`no Slack user has the email ${email}`);
  return found;
}

function describe(e: Employee): string {
  return e.email ? `${e.email} (${e.slackUserId})` : e.slackUserId;
}

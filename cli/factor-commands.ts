import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Command, Option } from 'commander';
import QRCode from 'qrcode';
import { type Config, loadConfig } from '../lib/config';
import { keyId } from '../lib/secret-box';
import { createSlackClient, slackErrorCode } from '../activities/slack-client';
import { resolveEmployee } from '../activities/employees';
import { collections, type Collections } from '../store/collections';
import { connectMongo } from '../store/mongo';
import { EnrollmentError, requireKey, secondFactors, type SecondFactors } from '../store/second-factors';
import { readEmbeddedKey } from '../infra/encryption-key';
import { progressLine } from '../lib/progress';
import { NotFoundError } from './store';
import { directoryStore } from '../store/directory';
import { enrollmentLinks } from '../store/enrollment-links';
import { passkeyStore, shortId } from '../store/passkeys';
import { emailKey } from '../shared/employee-key';
import { printJson, printLine } from './output';

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
    .description(
      "Manage employees' second factors (TOTP and passkeys): enroll, confirm, reset, revoke, list, link.",
    );

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
        await factors.confirm(employee.key, code, opts.actor, new Date());
        printLine(`Second factor of ${describe(employee)} is active.`);
      }),
    );

  factor
    .command('revoke <employee>')
    .description(
      "Remove an employee's TOTP factor (their interviews then count as not enrolled, unless they have a " +
        'passkey), or with --passkey one of their passkeys (its id as "vouch factor list" shows it) or all.',
    )
    .option('--passkey <id|all>', 'remove this passkey (or "all" of them) instead of the TOTP factor')
    .option('--reason <text>', 'why (kept in the record)')
    .addOption(actorOption())
    .action(async (who: string, opts: { actor: string; reason?: string; passkey?: string }) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        if (opts.passkey) {
          const removed = await passkeyStore(c).revoke(
            employee.key,
            opts.passkey,
            opts.actor,
            new Date(),
            opts.reason,
          );
          return printLine(
            `Revoked ${removed.length} passkey(s) of ${describe(employee)}: ${removed.map(shortId).join(', ')}.`,
          );
        }
        await factors.revoke(employee.key, opts.actor, new Date(), opts.reason);
        printLine(`Second factor of ${describe(employee)} revoked.`);
      }),
    );

  factor
    .command('link <employee>')
    .description(
      'Make an enrollment link (TOTP or a passkey) for an employee, to hand to them yourself: for someone ' +
        'without Slack, who cannot type /vouch enroll. The same approval applies: the security channel (or, ' +
        "without Slack, the operators' Teams channel) checks the pairing code the page shows, unless the " +
        'employee approves with a factor they have.',
    )
    .action(async (who: string) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        const operatorsChannel = config.slack.securityChannel ?? config.teams?.operatorsConversation;
        if (!operatorsChannel && !(await factors.hasAny(employee.key)))
          throw new EnrollmentError(
            'neither VOUCH_SECURITY_CHANNEL nor VOUCH_TEAMS_OPERATORS_CONVERSATION is set, so no operator could approve the link: set one, or enroll them with vouch factor enroll',
          );
        const { token, expiresAt } = await enrollmentLinks(c).create(employee.key, new Date());
        printLine(
          [
            `Enrollment link for ${describe(employee)}, valid until ${expiresAt.toISOString()}, once:`,
            `${config.publicUrl}/enroll/${token}`,
            'Hand it to them over a channel you trust (it is not sent anywhere). When they open it, the security',
            "channel (or the operators' Teams channel) is asked to approve with the pairing code their page shows.",
          ].join('\n'),
        );
      }),
    );

  factor
    .command('unlock <employee>')
    .description('Lift a lockout after too many wrong codes.')
    .addOption(actorOption())
    .action(async (who: string, opts: { actor: string }) =>
      withFactors(async ({ factors, c, config }) => {
        const employee = await findEmployee(config, c, who);
        await factors.unlock(employee.key, opts.actor, new Date());
        printLine(`Second factor of ${describe(employee)} unlocked.`);
      }),
    );

  factor
    .command('list')
    .description(
      'List enrollments: TOTP (pending, active, locked; key id) and passkeys (id, last used), with who enrolled them.',
    )
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) =>
      withFactors(async ({ factors, c }) => {
        const rows = await factors.list(new Date());
        const passkeys = await passkeyStore(c).list();
        if (opts.json) return printJson([...rows, ...passkeys]);
        if (rows.length + passkeys.length === 0) return printLine('No one is enrolled.');
        const who = (r: { email?: string; slackUserId?: string }) => [
          (r.email ?? '-').padEnd(32),
          (r.slackUserId ?? '(no Slack)').padEnd(12),
        ];
        for (const r of rows)
          printLine(
            [
              ...who(r),
              r.status.padEnd(8),
              `key ${r.keyId}`,
              `enrolled ${r.enrolledAt.toISOString()} by ${r.enrolledBy}`,
              r.lockedUntil ? `locked until ${r.lockedUntil.toISOString()}` : '',
            ].join('  '),
          );
        for (const p of passkeys)
          printLine(
            [
              ...who(p),
              'passkey ',
              `id ${shortId(p.credentialId)}`,
              `enrolled ${p.enrolledAt.toISOString()} by ${p.enrolledBy}`,
              p.lastUsedAt ? `last used ${p.lastUsedAt.toISOString()}` : 'never used',
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
        const events = await factors.history(employee.key);
        if (opts.json) return printJson(events);
        for (const e of events)
          printLine(
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
        printLine(
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
        if (opts.json) return printJson({ keys: rows, unknownSecretKeys: stranded });
        if (rows.length === 0) printLine('No VOUCH_ENCRYPTION_KEY is set: nothing is encrypted.');
        for (const r of rows)
          printLine(
            `key ${r.keyId}  ${r.role.padEnd(8)}  ${r.role === 'current' ? 'seals and opens' : 'opens only'}` +
              `  ${r.secrets} second-factor secret(s)`,
          );
        for (const [id, n] of stranded)
          printLine(
            `key ${id}  unknown   ${n} second-factor secret(s) under a key that is not configured: finish the rotation (vouch factor rotate-key)`,
          );
      }),
    );
}

interface EnrollOptions {
  qrFile?: string;
  actor: string;
  /** false with --no-slack-check */
  slackCheck: boolean;
}

function addEnrollOptions(cmd: Command): Command {
  return cmd
    .option(
      '--qr-file <file>',
      'where to write the QR code image (PNG, mode 0600); default: a new private folder (0700) under the system temporary folder',
    )
    .option(
      '--no-slack-check',
      'enroll without asking Slack (users.info) that the user exists and is active: only when Vouch has no Slack token',
    )
    .addOption(actorOption());
}

async function enroll(who: string, opts: EnrollOptions, replace: boolean): Promise<void> {
  await withFactors(async ({ factors, c, config, key }) => {
    requireKey(key); // a missing key is said first, before Slack is asked anything
    const found = await findEmployee(config, c, who);
    // A reset replaces the factor of someone already enrolled (and checked then); someone without Slack
    // is vouched for by the directory.
    const employee =
      replace || !opts.slackCheck || !found.slackUserId ? found : await checkSlackUser(config, found);
    // Opened before anything is stored: a place that cannot be written stops the enrollment first.
    const qr = openQrFile(opts.qrFile, employee.key);
    let secret: string;
    let uri: string;
    try {
      ({ secret, uri } = await factors.begin(employee, opts.actor, new Date(), {
        replace: replace ? 'now' : undefined,
      }));
      await qr.write(uri);
    } catch (err) {
      qr.discard();
      throw err;
    }
    const terminalQr = await QRCode.toString(uri, { type: 'terminal', small: true });
    printLine(
      [
        `${replace ? 'New secret' : 'Enrollment'} for ${describe(employee)} (pending until confirmed).`,
        'Hand it to the employee in person or over a trusted channel, never through Slack.',
        '',
        terminalQr,
        `QR code image: ${qr.file} (readable only by you; delete it once scanned: rm ${qr.removeHint})`,
        `Secret (for typing in): ${secret.replace(/(.{4})/g, '$1 ').trim()}`,
        `URI: ${uri}`,
        '',
        `Then confirm with the first code from their app: vouch factor confirm ${who} <code>`,
      ].join('\n'),
    );
  });
}

/**
 * The QR image file, created (mode 0600) before the secret exists: by default in a new folder of
 * its own under the system temporary folder (mode 0700), never the working directory, where one
 * `git add .` would commit a second factor.
 */
function openQrFile(requested: string | undefined, employee: string) {
  let dir: string | undefined;
  let file = requested ? path.resolve(requested) : '';
  let fd: number;
  try {
    if (requested) fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    else {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vouch-enroll-'));
      file = path.join(dir, `vouch-enroll-${employee.replace(/[^A-Za-z0-9@._-]/g, '_')}.png`);
    }
    fd = fs.openSync(file, 'w', 0o600);
    fs.fchmodSync(fd, 0o600);
  } catch (err) {
    throw new EnrollmentError(
      `cannot write the QR code image to ${file || os.tmpdir()}: ${(err as Error).message}. Nothing was stored; choose a writable place with --qr-file <path>`,
    );
  }
  return {
    file,
    removeHint: dir ? `-r ${dir}` : file,
    async write(uri: string) {
      const png = await QRCode.toBuffer(uri, { type: 'png', errorCorrectionLevel: 'M', margin: 2, scale: 6 });
      fs.writeSync(fd, png);
      fs.closeSync(fd);
    },
    discard() {
      try {
        fs.closeSync(fd);
      } catch {
        // already closed
      }
      fs.rmSync(dir ?? file, { recursive: true, force: true });
    },
  };
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

/** `key`: the employee key factors are kept under (shared/employee-key.ts). */
type Employee = { key: string; slackUserId?: string; email?: string; name?: string };

const slackEmployee = (e: { slackUserId: string; email?: string; name?: string }): Employee => ({
  key: e.slackUserId,
  ...e,
});

/**
 * An employee by Slack user id, or by email: Vouch's records, then Slack's users.lookupByEmail. Someone
 * the directory lists by email whom Slack does not know (or with no Slack connected) is an employee
 * without Slack, whose factors are kept by email, as interviews by email find them.
 */
async function findEmployee(config: Config, c: Collections, who: string): Promise<Employee> {
  if (/^[UW][A-Z0-9]{2,}$/.test(who)) {
    const doc = await c.employees.findOne({ _id: who });
    return slackEmployee({ slackUserId: who, email: doc?.email, name: doc?.name });
  }
  if (!/^[^\s@]+@[^\s@]+$/.test(who))
    throw new EnrollmentError(`"${who}" is neither an email address nor a Slack user id (U…)`);
  const email = who.toLowerCase();
  const known = await c.employees.findOne({ email });
  if (known) return slackEmployee({ slackUserId: known._id, email, name: known.name });
  const listed = await directoryStore(c).byEmail(email);
  if (listed?.slackUserId)
    return slackEmployee({ slackUserId: listed.slackUserId, email, name: listed.name });
  const withoutSlack = { key: emailKey(email), email, name: listed?.name };
  if (!config.slack.botToken) {
    if (listed) return withoutSlack;
    throw new EnrollmentError(
      `no employee with email ${email} is known to Vouch: add them to the directory (vouch directory set), set SLACK_BOT_TOKEN so Vouch can look them up in Slack, or pass their Slack user id (U…)`,
    );
  }
  const slack = createSlackClient(config.slack.botToken, config.slack.apiUrl);
  const found = await resolveEmployee(c, slack, { email }, new Date(), { withoutSlack: true });
  if (found?.slackUserId) return slackEmployee({ ...found, slackUserId: found.slackUserId });
  if (found) return withoutSlack;
  throw new EnrollmentError(
    `no Slack user has the email ${email}, and the directory does not list it: add them with vouch directory set`,
  );
}

/**
 * Asks Slack (users.info) that the employee's Slack id is a person who can be messaged: an id with a
 * typo, a deactivated account or a bot would get a factor no one can ever use.
 */
async function checkSlackUser(config: Config, employee: Employee): Promise<Employee> {
  const id = employee.key;
  if (!config.slack.botToken)
    throw new EnrollmentError(
      `cannot check with Slack that ${id} is an active user: SLACK_BOT_TOKEN is not set. Set it (see "Connect Vouch to Slack" in README.md), or pass --no-slack-check to enroll without checking`,
    );
  const slack = createSlackClient(config.slack.botToken, config.slack.apiUrl);
  let user:
    { deleted?: boolean; is_bot?: boolean; real_name?: string; profile?: { email?: string } } | undefined;
  try {
    user = (await slack.users.info({ user: id })).user;
  } catch (err) {
    if (slackErrorCode(err) !== 'user_not_found')
      throw new SlackUnavailableError(
        `cannot check with Slack (${config.slack.apiUrl}) that ${id} is an active user: ${(err as Error).message}. Nothing was stored.`,
      );
  }
  const problem = !user
    ? 'Slack has no such user (users.info: user_not_found)'
    : user.deleted
      ? 'that Slack account is deactivated'
      : user.is_bot
        ? 'that Slack account is a bot'
        : undefined;
  if (problem) throw new NotFoundError(`cannot enroll ${id}: ${problem}. Nothing was stored.`);
  return {
    key: id,
    slackUserId: id,
    email: employee.email ?? user?.profile?.email?.toLowerCase(),
    name: employee.name ?? user?.real_name,
  };
}

class SlackUnavailableError extends Error {
  override readonly name = 'SlackUnavailableError';
}

function describe(e: Employee): string {
  if (!e.slackUserId) return `${e.email} (no Slack)`;
  return e.email ? `${e.email} (${e.slackUserId})` : e.slackUserId;
}

import type { App } from '@slack/bolt';
import type { View } from '@slack/types';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import { seal } from '../../lib/secret-box';
import { employeeResponse, submitSecondFactor } from '../../shared/messages';
import { sealedCodeContext } from '../../shared/sealed-code';
import { answerLinks } from '../../store/answer-links';
import { collections } from '../../store/collections';
import { passkeyCeremonies, relyingParty } from '../../store/passkey-ceremonies';
import { startBot } from '../helpers/bot-under-test';
import {
  ANA,
  BOB,
  alertFor,
  createDevServerHarness,
  dmSent,
  enroll,
  setPolicy,
  start,
  state,
  type Harness,
} from '../helpers/interview-harness';
import { recordHistory } from '../helpers/history';
import { buttonClick, postInteraction } from '../helpers/slack-requests';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';

/**
 * "Verify with a passkey instead": the Slack modal of an employee with a passkey links to a one-time
 * answer link of that interview; the passkey checked through it gives a proof that the workflow's
 * verifySecondFactor activity accepts once, in place of a TOTP code.
 */
const SECRET = 'test-signing-secret-0123456789';

describe('the second-factor modal with a passkey', () => {
  let h: Harness;
  let app: App;
  let events: string;
  let base: string;
  let authenticator: SoftwareAuthenticator;

  beforeAll(async () => {
    h = await createDevServerHarness();
    await setPolicy(h, 'default', { rollup: { enabled: false } });
    ({ app, url: events } = await startBot(h, h.client, { signingSecret: SECRET }));
    const port = new URL(events).port;
    base = `http://127.0.0.1:${port}`;
    // VOUCH_PUBLIC_URL is unset in the test bot: http://localhost:<port>, the relying party.
    authenticator = new SoftwareAuthenticator(`http://localhost:${port}`);
  });
  afterAll(async () => {
    await app?.stop();
    await h?.teardown();
  });

  async function addPasskey(slackUserId: string) {
    const ceremonies = passkeyCeremonies(collections(h.mongo.db), relyingParty(authenticator['origin']));
    const options = await ceremonies.registrationOptions(
      { key: slackUserId, label: slackUserId },
      'test',
      new Date(),
    );
    const added = await ceremonies.verifyRegistration(
      slackUserId,
      'test',
      authenticator.register(options),
      'test',
      new Date(),
    );
    expect(added.outcome).toBe('added');
  }

  /** The passkey ceremony through the bot's JSON routes for an answer link: the proof it gives. */
  async function passkeyProof(token: string): Promise<string> {
    const post = async (path: string, body: unknown) =>
      (await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }).then((r) => r.json())) as PublicKeyCredentialRequestOptionsJSON & { proof?: string };
    const options = await post(`/passkey/${token}/options`, {});
    return (await post(`/passkey/${token}/verify`, authenticator.authenticate(options))).proof ?? '';
  }

  /** Clicks "Yes" in the DM and returns the modal Slack was asked to open. */
  async function openModal(user: { id: string }, workflowId: string): Promise<View> {
    const click = buttonClick(user.id, 'vouch_confirm', workflowId, `D${user.id.slice(1)}`);
    await postInteraction(events, SECRET, click);
    return (await h.slack.waitForCall('views.open', (c) => c.args.trigger_id === click.trigger_id)).args
      .view as View;
  }
  const answerUrl = (view: View) =>
    /"url":"(http:\/\/localhost:\d+\/answer\/([\w-]{43}))"/.exec(JSON.stringify(view));

  it('without a passkey, no link and no answer link is made', async () => {
    await enroll(h, ANA.id);
    const handle = await start(h, alertFor(ANA));
    await dmSent(h, handle);
    const view = await openModal(ANA, handle.workflowId);
    expect(JSON.stringify(view)).not.toContain('vouch_passkey_instead');
    expect(await collections(h.mongo.db).answerLinks.countDocuments({ workflowId: handle.workflowId })).toBe(
      0,
    );

    // With one, next time: the code stays, and the button opens this interview's answer page.
    await addPasskey(ANA.id);
    const withPasskey = await openModal(ANA, handle.workflowId);
    expect(JSON.stringify(withPasskey)).toContain('vouch_code');
    expect(JSON.stringify(withPasskey)).toContain('Verify with a passkey instead');
    const [, , token] = answerUrl(withPasskey)!;
    const link = await answerLinks(collections(h.mongo.db)).view(token!, new Date());
    expect(link).toMatchObject({ state: 'open', link: { workflowId: handle.workflowId, employee: ANA.id } });
    await h.client.workflow.getHandle(handle.workflowId).terminate('done with this one');
  });

  it('an employee with only a passkey gets the link alone, and the proof from it verifies the interview', async () => {
    await addPasskey(BOB.id);
    const handle = await start(h, alertFor(BOB));
    await dmSent(h, handle);
    const view = await openModal(BOB, handle.workflowId);
    expect('submit' in view).toBe(false); // no code to submit
    expect(JSON.stringify(view)).not.toContain('vouch_code');
    expect(JSON.stringify(view)).toContain('Verify with a passkey');
    const [, url, token] = answerUrl(view)!;
    expect(url).toContain('/answer/');

    // What the answer page does: the passkey ceremony through the bot's routes, then "yes" and the
    // proof, sealed like a code, to the workflow.
    const proof = await passkeyProof(token!);
    expect(proof).toMatch(/^pk1/);
    await handle.signal(employeeResponse, {
      responseId: 'page-yes',
      slackUserId: BOB.id,
      answer: 'confirmed',
    });
    const submit = (code: string) =>
      handle.executeUpdate(submitSecondFactor, {
        args: [
          {
            responseId: 'page-passkey',
            slackUserId: BOB.id,
            code: seal(h.key, code, sealedCodeContext(handle.workflowId, BOB.id)),
          },
        ],
      });
    expect(await submit(proof)).toEqual({ accepted: true, attemptsLeft: 0 });
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    const attempts = (await state(handle)).transcript.filter((t) => t.kind === 'second_factor_attempt');
    expect(attempts).toEqual([expect.objectContaining({ result: 'accepted' })]);
  });

  /** A browser of the answer page, without the browser: its cookies, and the form's CSRF token. */
  function pageSession(token: string, cookies = new Map<string, string>()) {
    let csrf = '';
    const remember = (res: Response) => {
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [name, value] = pair!.split('=');
        cookies.set(name!, value!);
      }
    };
    const request = async (init?: RequestInit) => {
      const res = await fetch(`${base}/answer/${token}`, {
        ...init,
        headers: { ...init?.headers, cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') },
      });
      remember(res);
      const html = await res.text();
      csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? csrf;
      return { status: res.status, html, csp: res.headers.get('content-security-policy') ?? '' };
    };
    return {
      cookies,
      open: () => request(),
      post: (fields: Record<string, string>) =>
        request({
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ csrf, ...fields }).toString(),
        }),
    };
  }

  it("the modal's link answers on the answer page: its passkey step verifies the Slack interview", async () => {
    const carl = { id: 'UCARL0003', email: 'carl@example.com' };
    h.slack.addUser({ id: carl.id, email: carl.email, name: 'Carl Ito' });
    await addPasskey(carl.id);
    const handle = await start(h, alertFor(carl));
    await dmSent(h, handle);

    // An answer link the modal did not make (as an email's, for an interview that sent none) is refused.
    const { token: plain } = await answerLinks(collections(h.mongo.db)).create(
      {
        workflowId: handle.workflowId,
        alertId: handle.workflowId.slice('alert-'.length),
        email: carl.email,
        expiresAt: new Date(Date.now() + 600_000),
      },
      new Date(),
    );
    const refused = pageSession(plain);
    await refused.open();
    await refused.post({ action: 'no' });
    await waitUntil(async () =>
      (await state(handle)).transcript.some((e) => e.kind === 'unauthorized_response'),
    );
    expect((await state(handle)).phase).toBe('awaiting_response');

    const [, , token] = answerUrl(await openModal(carl, handle.workflowId))!;
    const page = pageSession(token!, refused.cookies); // the same browser: the first answer bound it
    // Opened from the modal, the page starts at the passkey step: "Yes" was pressed in Slack.
    const step = await page.open();
    expect(step.status).toBe(200);
    expect(step.html).toContain('data-passkey="authenticate"');
    expect(step.html).not.toContain('id="code"'); // a passkey only: no code field
    expect(step.csp).toContain("script-src 'self'");
    expect(step.html).not.toMatch(/<script>/);
    const verified = await page.post({ proof: await passkeyProof(token!) });
    expect(verified.status).toBe(200);
    expect(verified.html).toContain('<h1>Verified</h1>');
    expect(await handle.result()).toMatchObject({ outcome: 'confirmed_verified' });
    recordHistory('slack-passkey-link-verified-on-page', await handle.fetchHistory());
    const events = (await state(handle)).transcript;
    expect(events).toContainEqual(
      expect.objectContaining({
        kind: 'employee_answer',
        answer: 'confirmed',
        via: 'web',
        link: 'slack_modal',
      }),
    );
    expect(events.filter((e) => e.kind === 'second_factor_attempt')).toEqual([
      expect.objectContaining({ result: 'accepted', via: 'web' }),
    ]);
  });

  it('a proof the passkey routes did not give is refused on the page, and the step says so', async () => {
    const handle = await start(h, alertFor(BOB, { id: 'passkey-forged-proof', details: { run: 'forged' } }));
    await dmSent(h, handle);
    const [, , token] = answerUrl(await openModal(BOB, handle.workflowId))!;
    const page = pageSession(token!);
    await page.open();
    await page.post({ action: 'yes' });
    const refused = await page.post({ proof: `pk1${'A'.repeat(30)}` });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('Your passkey was not accepted. 2 attempts left.');
    expect(refused.html).toContain('aria-describedby="passkey-error passkey-lead"');
    const attempts = (await state(handle)).transcript.filter((e) => e.kind === 'second_factor_attempt');
    expect(attempts).toEqual([expect.objectContaining({ result: 'rejected', via: 'web' })]);
    const malformed = await page.post({ proof: 'not-a-proof' });
    expect(malformed.status).toBe(400); // refused by the bot: nothing reaches the interview
    expect(malformed.html).toContain('Your passkey check did not finish. Try again.');
    expect((await state(handle)).transcript.filter((e) => e.kind === 'second_factor_attempt')).toHaveLength(
      1,
    );
    await handle.terminate('done');
  });

  it('a proof works only for the interview it was made for', async () => {
    const first = await start(h, alertFor(BOB, { id: 'passkey-proof-a', details: { run: 'a' } }));
    const second = await start(h, alertFor(BOB, { id: 'passkey-proof-b', details: { run: 'b' } }));
    await dmSent(h, first);
    await dmSent(h, second);
    const [, , token] = answerUrl(await openModal(BOB, first.workflowId))!;
    const proof = await passkeyProof(token!);
    const attempt = async (handle: typeof first, responseId: string) => {
      await handle.signal(employeeResponse, {
        responseId: `yes-${responseId}`,
        slackUserId: BOB.id,
        answer: 'confirmed',
      });
      return handle.executeUpdate(submitSecondFactor, {
        args: [
          {
            responseId,
            slackUserId: BOB.id,
            code: seal(h.key, proof, sealedCodeContext(handle.workflowId, BOB.id)),
          },
        ],
      });
    };
    expect(await attempt(second, 'elsewhere')).toMatchObject({ accepted: false });
    expect(await attempt(first, 'own')).toMatchObject({ accepted: true });
    const replay = await attempt(first, 'again');
    expect(replay).toMatchObject({ accepted: true, attemptsLeft: 0 }); // already verified: nothing new is checked
    const results = (await state(second)).transcript
      .filter((t) => t.kind === 'second_factor_attempt')
      .map((t) => (t as { result?: string }).result);
    expect(results).toEqual(['rejected']);
    await second.terminate('done');
  });
});

async function waitUntil(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const started = Date.now(); !(await check()); await new Promise((r) => setTimeout(r, 100)))
    if (Date.now() - started > ms) throw new Error('condition not met in time');
}

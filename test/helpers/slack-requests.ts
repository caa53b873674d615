import { createHmac } from 'node:crypto';
import http from 'node:http';

/** Signed requests to the bot's HTTP receiver, as Slack sends them (v0 signature, HMAC-SHA256). */
export function signedRequest(
  secret: string,
  body: string,
  opts: { timestamp?: number; forge?: boolean } = {},
) {
  const ts = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const signature = `v0=${createHmac('sha256', opts.forge ? 'not-the-secret' : secret)
    .update(`v0:${ts}:${body}`)
    .digest('hex')}`;
  return {
    'content-type': 'application/x-www-form-urlencoded',
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': signature,
  };
}

/**
 * An Events API callback (JSON body), signed like any other request; a redelivery repeats `eventId`
 * and, as Slack's retries do, says which retry it is (`retryNum`).
 */
export async function postEvent(
  url: string,
  secret: string,
  event: Record<string, unknown>,
  eventId = `Ev${Date.now()}`,
  retryNum?: number,
): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({
    token: 'legacy-verification-token',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event,
    type: 'event_callback',
    event_id: eventId,
    event_time: Math.floor(Date.now() / 1000),
  });
  const headers: Record<string, string> = {
    ...signedRequest(secret, body),
    'content-type': 'application/json',
  };
  if (retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(retryNum);
    headers['x-slack-retry-reason'] = 'http_timeout';
  }
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: await res.text() };
}

/** A message event for a reply in a DM thread. */
export function threadReply(userId: string, channel: string, threadTs: string, text: string, ts: string) {
  return {
    type: 'message',
    channel,
    channel_type: 'im',
    user: userId,
    text,
    ts,
    thread_ts: threadTs,
    event_ts: ts,
    client_msg_id: `msg-${ts}`,
  };
}

export async function postInteraction(
  url: string,
  secret: string,
  payload: unknown,
  opts: { timestamp?: number; forge?: boolean } = {},
): Promise<{ status: number; body: string; json: () => unknown }> {
  const body = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const res = await fetch(url, { method: 'POST', headers: signedRequest(secret, body, opts), body });
  const text = await res.text();
  return { status: res.status, body: text, json: () => (text ? JSON.parse(text) : undefined) };
}

/** What every interaction payload carries: its type, the workspace, the user, the app. */
function envelope(type: string, userId: string) {
  return {
    type,
    team: { id: 'T0001', domain: 'example' },
    user: { id: userId, username: userId.toLowerCase(), team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'legacy-verification-token',
  };
}

let seq = 0;
export function buttonClick(
  userId: string,
  actionId: string,
  value: string,
  channel: string,
  actionTs?: string,
) {
  seq += 1;
  return {
    ...envelope('block_actions', userId),
    trigger_id: `trigger-${seq}`,
    channel: { id: channel, name: 'directmessage' },
    container: { type: 'message', message_ts: '1700000001.000100', channel_id: channel, is_ephemeral: false },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'vouch_answer',
        value,
        text: { type: 'plain_text', text: 'button' },
        action_ts: actionTs ?? `1700000100.${String(seq).padStart(6, '0')}`,
      },
    ],
    response_url: 'http://127.0.0.1:9/unused',
  };
}

/** A button pressed inside an open modal (block_actions with the view, as Slack sends it). */
export function modalButtonClick(userId: string, actionId: string, value: string, viewId = 'V0001') {
  seq += 1;
  return {
    ...envelope('block_actions', userId),
    trigger_id: `trigger-${seq}`,
    container: { type: 'view', view_id: viewId },
    view: {
      id: viewId,
      type: 'modal',
      callback_id: 'vouch_second_factor',
      private_metadata: value,
      hash: `hash-${viewId}`,
      state: { values: {} },
    },
    actions: [
      {
        type: 'button',
        action_id: actionId,
        block_id: 'vouch_coerced',
        value,
        text: { type: 'plain_text', text: 'button' },
        action_ts: `1700000200.${String(seq).padStart(6, '0')}`,
      },
    ],
  };
}

export function codeSubmission(
  userId: string,
  workflowId: string,
  code: string,
  viewId = 'V0001',
  justification = '',
) {
  return viewSubmission(userId, 'vouch_second_factor', workflowId, viewId, {
    vouch_justification: { value: { type: 'plain_text_input', value: justification } },
    vouch_code: { value: { type: 'plain_text_input', value: code } },
  });
}

/** A modal submitted with its input values, carrying `metadata` back as Slack does. */
function viewSubmission(
  userId: string,
  callbackId: string,
  metadata: string,
  viewId: string,
  values: Record<string, unknown>,
) {
  return {
    ...envelope('view_submission', userId),
    trigger_id: 'trigger-view',
    view: {
      id: viewId,
      type: 'modal',
      callback_id: callbackId,
      private_metadata: metadata,
      hash: `hash-${viewId}`,
      state: { values },
    },
  };
}

/** The fields Slack sends with a slash command (form-encoded over HTTP, a JSON payload in Socket Mode). */
export function slashCommandFields(userId: string, command: string, text: string): Record<string, string> {
  return {
    token: 'legacy-verification-token',
    team_id: 'T0001',
    team_domain: 'example',
    channel_id: `D${userId.slice(1)}`,
    channel_name: 'directmessage',
    user_id: userId,
    user_name: userId.toLowerCase(),
    command,
    text,
    api_app_id: 'A0001',
    response_url: 'http://127.0.0.1:9/unused',
    trigger_id: `trigger-cmd-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
  };
}

/** A slash command as Slack posts it: form-encoded fields, signed; the reply is the HTTP response. */
export async function postSlashCommand(
  url: string,
  secret: string,
  userId: string,
  command: string,
  text: string,
) {
  const body = new URLSearchParams(slashCommandFields(userId, command, text)).toString();
  const res = await fetch(url, { method: 'POST', headers: signedRequest(secret, body), body });
  const raw = await res.text();
  return {
    status: res.status,
    json: () => (raw ? (JSON.parse(raw) as { text?: string; response_type?: string }) : {}),
  };
}

/**
 * A POST whose headers declare `declared` bytes (or chunked, no length) and that then sends only `sent`
 * of them: resolves with the status and how long the answer took, without ever sending the rest.
 */
export function postDeclaringLength(
  url: string,
  declared: number | 'chunked',
  sent: number,
): Promise<{ status: number; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const req = http.request(url, {
      method: 'POST',
      headers:
        declared === 'chunked'
          ? { 'transfer-encoding': 'chunked', 'content-type': 'application/json' }
          : { 'content-length': String(declared), 'content-type': 'application/json' },
    });
    req.on('response', (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, ms: Date.now() - started });
      req.destroy();
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
    req.write(Buffer.alloc(sent, 0x7b)); // the rest of the body never comes
  });
}

/** The snooze modal submitted: a length from its select and an optional reason. */
export function snoozeSubmission(
  userId: string,
  workflowId: string,
  duration: string,
  reason = '',
  viewId = 'V0002',
) {
  const selected = { value: duration, text: { type: 'plain_text', text: duration } };
  return viewSubmission(userId, 'vouch_snooze_request', workflowId, viewId, {
    vouch_snooze_duration: { value: { type: 'static_select', selected_option: selected } },
    vouch_snooze_reason: { value: { type: 'plain_text_input', value: reason } },
  });
}

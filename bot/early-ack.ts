import type { RequestListener } from 'node:http';
import { type App, HTTPModuleFunctions as boltHttp, isRawBodyError } from '@slack/bolt';
import type { Logger } from '../lib/logger';

export interface EarlyAckOptions {
  signingSecret: string;
  bodyLimit: number;
  /** The app the clicks are handed to once answered (created after its receiver). */
  app: () => App;
  logger: Logger;
}

/**
 * A button click (`block_actions`) is answered 200 as soon as its signature checks out, before Bolt
 * routes it: Slack wants nothing but the acknowledgement within 3 s, and in a burst of clicks each
 * one otherwise waited for Bolt to route every click before it. The click then goes to the app as
 * Bolt's own receiver would hand it over, with an acknowledgement that does nothing. Everything
 * else (modal submissions, whose acknowledgement carries the answer; commands; events; forged or
 * unreadable requests) goes on to Bolt's receiver, which reads the body already buffered here.
 */
export function earlyAckForClicks(listener: RequestListener, opts: EarlyAckOptions): RequestListener {
  return (req, res) => {
    const form = req.headers['content-type'] === 'application/x-www-form-urlencoded';
    if (req.method !== 'POST' || !form || !req.url?.startsWith('/slack/events')) return listener(req, res);
    void (async () => {
      try {
        await boltHttp.bufferIncomingMessage(req, opts.bodyLimit);
      } catch (err) {
        res.writeHead(isRawBodyError(err) && err.statusCode === 413 ? 413 : 400).end();
        return;
      }
      const buffered = req as typeof req & { rawBody: Buffer };
      let body: { type?: unknown } | undefined;
      try {
        body = boltHttp.parseHTTPRequestBody(buffered) as { type?: unknown };
        if (body?.type === 'block_actions')
          await boltHttp.parseAndVerifyHTTPRequest({ signingSecret: opts.signingSecret }, buffered);
        else body = undefined;
      } catch {
        body = undefined; // Bolt answers it: 400 for a malformed body, 401 for a bad signature, and logs why
      }
      if (!body) return listener(req, res);
      res.writeHead(200).end();
      try {
        await opts.app().processEvent({
          body,
          ack: async () => {},
          retryNum: boltHttp.extractRetryNumFromHTTPRequest(req),
          retryReason: boltHttp.extractRetryReasonFromHTTPRequest(req),
          customProperties: {},
        });
      } catch (err) {
        opts.logger.error({ err }, 'a button click failed after its acknowledgement');
      }
    })();
  };
}

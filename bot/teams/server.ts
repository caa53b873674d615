import http from 'node:http';
import type { Logger } from '../../lib/logger';
import type { TeamsActivity, TeamsReply } from './answers';
import { type BotFrameworkTokenCheck, TokenRefused } from './token-check';
import { readBody } from '../page-http';

/** Teams' activities are small; a card's submission with a justification is a few kB. */
const BODY_LIMIT = 256 * 1024;
export const TEAMS_MESSAGES_PATH = '/api/messages';

/**
 * The Teams bot's messaging endpoint, `POST /api/messages`, a small HTTP server of its own: an
 * organisation on Teams alone runs no Slack receiver, and Teams' port and path are its own. Every
 * activity's token is checked before anything else is read from it; a refused one gets 401 and
 * changes nothing.
 */
export function createTeamsServer(deps: {
  check: BotFrameworkTokenCheck;
  handle: (activity: TeamsActivity) => Promise<TeamsReply>;
  logger: Logger;
}): http.Server {
  const answer = (res: http.ServerResponse, { status, body }: TeamsReply) => {
    if (body === undefined) return void res.writeHead(status).end();
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
  };
  return http.createServer((req, res) => {
    void (async () => {
      if (req.url === '/healthz' && req.method === 'GET')
        return answer(res, { status: 200, body: { ok: true } });
      if (req.url !== TEAMS_MESSAGES_PATH) return answer(res, { status: 404 });
      if (req.method !== 'POST') return answer(res, { status: 405 });
      const raw = await readBody(req, BODY_LIMIT);
      if (raw === undefined) return answer(res, { status: 413 });
      let activity: TeamsActivity;
      try {
        activity = JSON.parse(raw) as TeamsActivity;
      } catch {
        return answer(res, { status: 400 });
      }
      try {
        await deps.check(req.headers.authorization, activity);
      } catch (err) {
        if (err instanceof TokenRefused) {
          deps.logger.warn(
            { reason: err.message, type: activity.type },
            'Teams activity refused: its token failed the check',
          );
          return answer(res, { status: 401 });
        }
        // The keys could not be fetched: nothing was checked, so nothing is done; Teams retries.
        deps.logger.error({ err }, 'Teams activity not checked: the Bot Framework keys are unavailable');
        return answer(res, { status: 503 });
      }
      answer(res, await deps.handle(activity));
    })().catch((err: unknown) => {
      deps.logger.error({ err }, 'Teams activity failed');
      if (!res.headersSent) res.writeHead(500).end();
    });
  });
}

import http from 'node:http';
import type { CustomRoute } from '@slack/bolt';
import { match } from 'path-to-regexp';
import type { Logger } from '../lib/logger';
import { answerRoutes } from './answer-page';
import type { BotDeps } from './deps';
import { enrollmentRoutes } from './enrollment-page';
import { type EnrollmentNotices, firstReachable } from './enrollment-notices';
import { passkeyRoutes } from './passkey-routes';
import { boundedRequests } from './request-limits';

/**
 * The answer page without Slack: an organisation on Teams alone still hands out answer links (the Teams
 * dialog's "Verify with a passkey instead", the email channel's links), and they must open on BOT_PORT
 * behind VOUCH_PUBLIC_URL as they do beside Slack's receiver: the same routes, matched as Bolt matches
 * its custom routes (path-to-regexp), with the same size guard. The enrollment page is here too, its
 * approval asked through the first of `notices` that reaches its operators (the operators' Teams channel: bot/teams/enrollment-actions.ts).
 */
export function createPagesServer(deps: BotDeps, notices: EnrollmentNotices[]): http.Server {
  return pagesServer(pageRoutes(deps, firstReachable(deps.logger, ...notices)), deps.logger);
}

/** The enrollment and answer pages, their passkey routes and their assets. */
export function pageRoutes(deps: BotDeps, notices: EnrollmentNotices): CustomRoute[] {
  return [...enrollmentRoutes(deps, notices), ...answerRoutes(deps), ...passkeyRoutes(deps, notices)];
}

function pagesServer(routes: CustomRoute[], logger: Logger): http.Server {
  const matchers = routes.map((route) => ({
    route,
    match: match<Record<string, string>>(route.path, { decode: decodeURIComponent }),
  }));
  return http.createServer(
    boundedRequests((req, res) => {
      const path = new URL(req.url ?? '/', 'http://localhost').pathname;
      if (path === '/healthz' && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end('ok');
      }
      const found = matchers.flatMap((m) => {
        const matched = m.match(path);
        return matched ? [{ route: m.route, params: matched.params }] : [];
      });
      const hit = found.find((m) => [m.route.method].flat().includes(req.method ?? ''));
      if (!hit) {
        res.writeHead(found.length > 0 ? 405 : 404, { 'content-type': 'text/plain' });
        return void res.end(found.length > 0 ? 'method not allowed' : 'not found');
      }
      try {
        hit.route.handler(Object.assign(req, { params: hit.params }), res);
      } catch (err) {
        logger.error({ err, path: hit.route.path }, 'page route failed');
        if (!res.headersSent) res.writeHead(500).end();
      }
    }),
  );
}

import { z } from 'zod';
import { alertInputSchema } from '../shared/alert';

/** One operation the intake serves: the OpenAPI document and the drift test are built from this list. */
export const INTAKE_ROUTES = [
  { method: 'POST', path: '/v1/alerts' },
  { method: 'POST', path: '/v1/sources/{name}' },
  { method: 'GET', path: '/healthz' },
  { method: 'GET', path: '/v1/openapi.json' },
] as const;

const errorSchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'A stable code, e.g. `invalid_alert`, `unauthorized`.' },
    message: { type: 'string', description: 'What went wrong and how to fix it, for people.' },
    problems: {
      type: 'array',
      description: 'Each bad field, by its path in the alert (e.g. `employee.email`).',
      items: {
        type: 'object',
        required: ['field', 'problem'],
        properties: { field: { type: 'string' }, problem: { type: 'string' } },
      },
    },
  },
};

const json = (schema: object) => ({ 'application/json': { schema } });
const error = (description: string, headers?: object) => ({
  description,
  content: json({ $ref: '#/components/schemas/Error' }),
  ...(headers ? { headers } : {}),
});
const retryAfter = {
  'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } },
};
const started = {
  type: 'object',
  required: ['workflowId', 'alreadyExisted'],
  properties: {
    workflowId: { type: 'string', description: 'The interview: `alert-<alert id>`.' },
    alreadyExisted: { type: 'boolean' },
  },
};
const startResponses = {
  '202': { description: 'The interview was started.', content: json(started) },
  '200': {
    description: 'An interview for this alert id already exists (running or ended); nothing new was started.',
    content: json(started),
  },
  '400': error('The body is not a valid alert: every bad field is named.'),
  '401': error('No bearer token, or one that is wrong, rotated or removed.', {
    'WWW-Authenticate': { schema: { type: 'string' } },
  }),
  '413': error('The body is over the size limit (VOUCH_INTAKE_BODY_LIMIT).'),
  '415': error('The body is not `application/json`.'),
  '429': error("Over the source's rate limit.", retryAfter),
  '503': error('Temporal cannot be reached: nothing was started; retry.', retryAfter),
};

/** The OpenAPI 3.1 document of the intake, with the alert's schema taken from the schema that validates it. */
export function intakeOpenApi(serverUrl?: string) {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vouch HTTP intake',
      version: '1',
      description:
        'Alerts in, interviews started. Authenticate with the bearer token `vouch source add <name>` printed (header, or `access_token` query parameter for senders that cannot set headers).',
    },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
    security: [{ bearer: [] }, { accessToken: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        accessToken: { type: 'apiKey', in: 'query', name: 'access_token' },
      },
      schemas: {
        // `source` may be left out: the intake fills in the posting source's name.
        AlertInput: z.toJSONSchema(alertInputSchema.partial({ source: true }), {
          io: 'input',
          target: 'draft-2020-12',
        }),
        Error: errorSchema,
      },
    },
    paths: {
      '/v1/alerts': {
        post: {
          operationId: 'sendAlert',
          summary: 'Start the interview of one alert',
          requestBody: { required: true, content: json({ $ref: '#/components/schemas/AlertInput' }) },
          responses: startResponses,
        },
      },
      '/v1/sources/{name}': {
        post: {
          operationId: 'sendSourceEvent',
          summary: "A source's own webhook body, mapped to an alert by its mapping in sources.yml",
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          requestBody: { required: true, content: json({ type: 'object' }) },
          responses: {
            ...startResponses,
            '400': error('The body does not map to a valid alert: each problem names its field.'),
            '403': error('The token belongs to another source.'),
            '404': error('No mapping for this source in sources.yml.'),
          },
        },
      },
      '/healthz': {
        get: {
          operationId: 'health',
          security: [],
          summary: 'Whether the intake reaches Temporal and MongoDB',
          responses: {
            '200': { description: 'Both reachable.', content: json({ type: 'object' }) },
            '503': { description: 'One is not.', content: json({ type: 'object' }) },
          },
        },
      },
      '/v1/openapi.json': {
        get: {
          operationId: 'openApi',
          security: [],
          summary: 'This document',
          responses: { '200': { description: 'OpenAPI 3.1', content: json({ type: 'object' }) } },
        },
      },
    },
  };
}

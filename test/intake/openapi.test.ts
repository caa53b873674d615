import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { buildIntakeServer, servedRoutes } from '../../intake/server';
import { INTAKE_ROUTES, intakeOpenApi } from '../../intake/openapi';
import { createLogger } from '../../lib/logger';

/** The OpenAPI document lists exactly the routes the intake serves, and is OpenAPI 3.1 in shape. */
describe('intake OpenAPI document', () => {
  it('documents exactly the routes Fastify serves', async () => {
    const app = buildIntakeServer({
      startAlert: async () => ({ workflowId: 'alert-x', alreadyExisted: false }),
      authenticate: async () => null,
      health: async () => ({}),
      bodyLimit: 1024,
      ratePerSecond: 1,
      logger: createLogger('test', 'silent'),
    });
    await app.ready();
    const documented = Object.entries(intakeOpenApi().paths)
      .flatMap(([p, ops]) =>
        Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
      )
      .sort();
    expect(servedRoutes(app)).toEqual(documented);
    expect(documented).toEqual(
      INTAKE_ROUTES.map((r) => `${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`).sort(),
    );
    await app.close();
  });

  it('is structurally OpenAPI 3.1: version, info, responses on every operation, resolvable $refs', () => {
    const doc = intakeOpenApi();
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.info.title).toBeTruthy();
    const text = JSON.stringify(doc);
    for (const [, ref] of text.matchAll(/"\$ref":"#\/components\/schemas\/(\w+)"/g))
      expect(Object.keys(doc.components.schemas)).toContain(ref);
    for (const ops of Object.values(doc.paths))
      for (const op of Object.values(ops) as { responses: object; operationId: string }[]) {
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
        expect(op.operationId).toBeTruthy();
      }
    // The alert's schema is the one that validates alerts, in JSON Schema 2020-12 (OpenAPI 3.1's dialect).
    const alert = doc.components.schemas.AlertInput as {
      properties: Record<string, unknown>;
      required: string[];
    };
    expect(Object.keys(alert.properties)).toEqual(
      expect.arrayContaining(['id', 'type', 'title', 'severity', 'occurredAt', 'source', 'employee']),
    );
    expect(alert.required).toEqual(expect.arrayContaining(['id', 'type', 'title', 'severity']));
  });

  it('validates against the OpenAPI 3.1 specification schema', () => {
    expect(validateOpenApi(intakeOpenApi())).toEqual({ valid: true, version: '3.1' });
    expect(validateOpenApi(intakeOpenApi('https://vouch.example.com'))).toEqual({
      valid: true,
      version: '3.1',
    });
    // The validator itself can fail: a document without `info` is refused.
    const { info: _info, ...broken } = intakeOpenApi();
    expect(validateOpenApi(broken).valid).toBe(false);
  });
});

/** @seriousme/openapi-schema-validator (the published OpenAPI JSON schemas) is ESM only: its own Node process. */
function validateOpenApi(document: object): { valid: boolean; version?: string; errors?: unknown } {
  const script =
    "import { Validator } from '@seriousme/openapi-schema-validator';" +
    'let input = ""; for await (const c of process.stdin) input += c;' +
    'const v = new Validator(); const r = await v.validate(JSON.parse(input));' +
    'process.stdout.write(JSON.stringify(r.valid ? { valid: true, version: v.version } : { valid: false, errors: r.errors }));';
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    input: JSON.stringify(document),
    cwd: path.resolve(__dirname, '../..'),
    encoding: 'utf8',
  });
  return JSON.parse(out) as { valid: boolean; version?: string };
}

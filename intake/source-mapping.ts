import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import canonicalize from 'canonicalize';
import jsonata from 'jsonata';
import YAML from 'yaml';
import { z } from 'zod';
import { type AlertInput, type FieldProblem, alertInputSchema, describeIssue } from '../shared/alert';

/**
 * Source mappings (`sources.yml`): for each source (a SIEM that calls Vouch with its own webhook body),
 * one JSONata expression per `AlertInput` field. Every expression is compiled when the file is loaded,
 * so a typo stops the start with the source and field named; mapping a body never throws: it gives the
 * alert, or every bad field with its path and the expression that produced it.
 */

/** A source's name is the last segment of its intake URL, `/v1/sources/<name>`. */
const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** Guards against an expression that loops or a body that makes one explode. */
const EVALUATION_LIMITS = { timeout: 1000, stack: 500, sequence: 10_000 };

const DETAIL_VALUE_MAX = 2000;

const expressionText = z
  .string({
    error: `must be a JSONata expression written as text, e.g. "result.user"; literal text needs quotes inside it, e.g. "'high'"`,
  })
  .trim()
  .min(1, { error: 'must not be empty: write a JSONata expression, or leave the field out' });

const employeeMap = z
  .object({
    email: expressionText.optional(),
    slackUserId: expressionText.optional(),
    username: expressionText.optional(),
  })
  .strict()
  .refine((e) => e.email ?? e.slackUserId ?? e.username, {
    error: 'needs at least one of email, slackUserId or username',
  });

const mappingSchema = z
  .object({
    id: expressionText.optional(),
    type: expressionText,
    title: expressionText,
    description: expressionText.optional(),
    severity: expressionText,
    occurredAt: expressionText.optional(),
    source: expressionText.optional(),
    employee: z.union([expressionText, employeeMap], {
      error:
        'must be one expression giving {email, slackUserId, username}, or a map of those fields to expressions',
    }),
    details: z
      .union([expressionText, z.record(z.string().min(1).max(100), expressionText)], {
        error: 'must be one expression giving an object, or a map of detail keys to expressions',
      })
      .optional(),
    sensitiveKeys: z
      .union([expressionText, z.array(z.string().min(1).max(100)).max(50)], {
        error: 'must be a list of detail keys, or one expression giving such a list',
      })
      .optional(),
    url: expressionText.optional(),
  })
  .strict();

/**
 * A webhook signature the intake checks before mapping: HMAC-SHA256 over the raw request body with the
 * secret named here (an entry of VOUCH_SOURCE_SECRETS), sent in `header` as `prefix` + hex or base64.
 */
const signatureSchema = z
  .object({
    scheme: z.literal('hmac-sha256', { error: 'the one scheme is "hmac-sha256"' }),
    header: z
      .string()
      .regex(/^[A-Za-z0-9-]{1,100}$/, { error: 'must be an HTTP header name, e.g. X-Signature' }),
    secret: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, {
      error: 'must name an entry of VOUCH_SOURCE_SECRETS (letters, digits, _ . -)',
    }),
    encoding: z.enum(['hex', 'base64'], { error: 'must be hex or base64' }).default('hex'),
    prefix: z.string().max(32).default(''),
  })
  .strict();

const sourceSchema = z
  .object({
    description: z.string().max(500).optional(),
    signature: signatureSchema.optional(),
    map: mappingSchema,
  })
  .strict();

export type SourceSignature = z.output<typeof signatureSchema>;

interface CompiledExpression {
  readonly text: string;
  readonly expression: jsonata.Expression;
}

export interface SourceMapping {
  readonly name: string;
  readonly description?: string;
  readonly signature?: SourceSignature;
  /** Field path (`title`, `employee.email`, `details`, `details.ip`) to its compiled expression. */
  readonly fields: ReadonlyMap<string, CompiledExpression>;
  /** Detail keys listed literally in the file. */
  readonly sensitiveKeys?: readonly string[];
}

export interface SourceMappings {
  /** The file they were read from (named in messages about an unknown source). */
  readonly file: string;
  readonly sources: ReadonlyMap<string, SourceMapping>;
}

export type MapResult =
  | { ok: true; alert: AlertInput; derivedId: boolean }
  | { ok: false; errors: { path: string; message: string }[] };

export class InvalidSourceMappingsError extends Error {
  override readonly name = 'InvalidSourceMappingsError';
  constructor(
    readonly file: string,
    readonly problems: FieldProblem[],
  ) {
    super(
      `Invalid source mappings in ${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${p.field}: ${p.problem}`).join('\n'),
    );
  }
}

/** Reads and compiles `file`; a file that does not exist maps no sources. */
export async function loadSourceMappings(file: string): Promise<SourceMappings> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { file, sources: new Map() };
    throw new InvalidSourceMappingsError(file, [
      { field: '(file)', problem: `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})` },
    ]);
  }
  return parseSourceMappings(text, file);
}

/** Validates and compiles the YAML text of a sources file; throws InvalidSourceMappingsError naming every problem. */
export function parseSourceMappings(yamlText: string, fileName: string): SourceMappings {
  const doc = YAML.parseDocument(yamlText, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new InvalidSourceMappingsError(
      fileName,
      doc.errors.map((e) => ({
        field: e.linePos ? `line ${e.linePos[0].line}` : '(file)',
        problem: `${e.message.split('\n')[0]!.replace(/:$/, '')}: not valid YAML`,
      })),
    );
  const content: unknown = doc.toJS();
  if (content === null || content === undefined) return { file: fileName, sources: new Map() };
  if (!isPlainObject(content))
    throw new InvalidSourceMappingsError(fileName, [
      {
        field: '(file)',
        problem:
          'expected a map of source names to mappings, e.g. "splunk: { map: { title: search_name, … } }"',
      },
    ]);
  const problems: FieldProblem[] = [];
  const sources = new Map<string, SourceMapping>();
  for (const [name, settings] of Object.entries(content)) {
    if (!SOURCE_NAME.test(name)) {
      problems.push({
        field: name || '(empty name)',
        problem:
          'a source name is 1–64 of a-z 0-9 _ - starting with a letter or digit (it ends the URL /v1/sources/<name>)',
      });
      continue;
    }
    const parsed = sourceSchema.safeParse(settings ?? {});
    if (!parsed.success) {
      problems.push(
        ...parsed.error.issues.map((issue) => ({
          field: [name, ...issue.path.map(String)].join('.'),
          problem: describeSourceIssue(issue, settings),
        })),
      );
      continue;
    }
    const compiled = compileMapping(name, parsed.data, problems);
    if (compiled) sources.set(name, compiled);
  }
  if (problems.length > 0) throw new InvalidSourceMappingsError(fileName, problems);
  return { file: fileName, sources };
}

/** The names of the mapped sources, sorted. */
export function sourceNames(mappings: SourceMappings): string[] {
  return [...mappings.sources.keys()].sort();
}

/**
 * Maps a source's webhook body to an alert validated with the alert schema. Never throws: an unknown
 * source, a failing expression or a bad field comes back as errors, each with its field path.
 */
export async function mapSourceBody(
  mappings: SourceMappings,
  sourceName: string,
  body: unknown,
  receivedAt: Date,
): Promise<MapResult> {
  const source = mappings.sources.get(sourceName);
  if (!source) {
    const names = sourceNames(mappings);
    return {
      ok: false,
      errors: [
        {
          path: '(source)',
          message: `no source named "${sourceName}"; ${names.length > 0 ? `sources in ${mappings.file}: ${names.join(', ')}` : `${mappings.file} maps no sources`}`,
        },
      ],
    };
  }
  try {
    return await mapWith(source, body, receivedAt);
  } catch (err) {
    // Everything above is meant to catch its own failures; this keeps the promise of never throwing.
    return { ok: false, errors: [{ path: '(body)', message: `could not be mapped: ${errorText(err)}` }] };
  }
}

function compileMapping(
  name: string,
  settings: z.output<typeof sourceSchema>,
  problems: FieldProblem[],
): SourceMapping | undefined {
  const fields = new Map<string, CompiledExpression>();
  const before = problems.length;
  const add = (path: string, text: string) => {
    try {
      // Shown in messages on one line: YAML's folded expressions keep their line breaks.
      fields.set(path, { text: text.replace(/\s+/g, ' '), expression: jsonata(text, EVALUATION_LIMITS) });
    } catch (err) {
      const e = err as Partial<jsonata.JsonataError>;
      problems.push({
        field: `${name}.map.${path}`,
        problem: `not a valid JSONata expression: ${e.message ?? String(err)}${e.position !== undefined ? ` (at character ${e.position})` : ''}; literal text needs quotes inside, e.g. "'high'"`,
      });
    }
  };
  const { employee, details, sensitiveKeys, ...scalars } = settings.map;
  for (const [field, text] of Object.entries(scalars)) if (text !== undefined) add(field, text);
  if (typeof employee === 'string') add('employee', employee);
  else
    for (const [key, text] of Object.entries(employee)) if (text !== undefined) add(`employee.${key}`, text);
  if (typeof details === 'string') add('details', details);
  else if (details) for (const [key, text] of Object.entries(details)) add(`details.${key}`, text);
  if (typeof sensitiveKeys === 'string') add('sensitiveKeys', sensitiveKeys);
  if (problems.length > before) return undefined;
  return {
    name,
    description: settings.description,
    signature: settings.signature,
    fields,
    sensitiveKeys: Array.isArray(sensitiveKeys) ? sensitiveKeys : undefined,
  };
}

type Problem = { path: string; message: string };

async function mapWith(source: SourceMapping, body: unknown, receivedAt: Date): Promise<MapResult> {
  const bindings = { receivedAt: receivedAt.toISOString(), sourceName: source.name };
  const values = new Map<string, unknown>();
  const errors: Problem[] = [];
  for (const [path, { text, expression }] of source.fields) {
    try {
      values.set(path, nothingToUndefined(await expression.evaluate(body, bindings)));
    } catch (err) {
      errors.push({ path, message: `the expression failed: ${errorText(err)} (mapping ${path}: "${text}")` });
    }
  }
  const failed = new Set(errors.map((e) => e.path));

  const draft: Record<string, unknown> = {};
  for (const field of ['type', 'title', 'description', 'severity', 'source', 'url'] as const)
    if (values.get(field) !== undefined) draft[field] = asText(values.get(field));
  draft.source ??= source.name;
  const mappedTime = values.get('occurredAt');
  draft.occurredAt = mappedTime !== undefined ? asText(mappedTime) : receivedAt.toISOString();
  draft.employee = employeeFrom(source, values, errors);
  const details = detailsFrom(source, values, errors);
  if (details) draft.details = details;
  const sensitive = source.sensitiveKeys ?? values.get('sensitiveKeys');
  if (sensitive !== undefined) draft.sensitiveKeys = Array.isArray(sensitive) ? sensitive : [sensitive];

  const mappedId = values.get('id');
  const derivedId = mappedId === undefined;
  draft.id = derivedId
    ? deriveId(source.name, draft, mappedTime !== undefined ? draft.occurredAt : minuteOf(receivedAt))
    : asText(mappedId);

  const parsed = alertInputSchema.safeParse(draft);
  if (!parsed.success)
    for (const issue of parsed.error.issues) {
      const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(alert)';
      // A field whose expression failed is reported once, with that failure.
      const mapping = responsibleMapping(source, path);
      if (mapping && failed.has(mapping.path)) continue;
      errors.push({ path, message: explain(source, path, describeIssue(issue), values) });
    }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, alert: parsed.data, derivedId };
}

/**
 * `<source>-<first 24 hex of SHA-256>` over the RFC 8785 canonical JSON of what identifies the event:
 * a redelivery of the same event maps to the same id (one interview), another event to another.
 */
function deriveId(sourceName: string, draft: Record<string, unknown>, occurredAt: unknown): string {
  const identity = {
    source: draft.source,
    type: draft.type,
    employee: draft.employee ?? {},
    details: draft.details ?? {},
    occurredAt,
  };
  const digest = createHash('sha256')
    .update(canonicalize(identity) ?? '')
    .digest('hex');
  return `${sourceName}-${digest.slice(0, 24)}`;
}

/** The receive time to the minute: redeliveries within the minute of an event without a time share an id. */
function minuteOf(receivedAt: Date): string {
  const minute = new Date(receivedAt.getTime());
  minute.setUTCSeconds(0, 0);
  return minute.toISOString();
}

function employeeFrom(source: SourceMapping, values: Map<string, unknown>, errors: Problem[]): unknown {
  let employee: unknown = values.get('employee');
  if (!source.fields.has('employee'))
    employee = Object.fromEntries(
      ['email', 'slackUserId', 'username'].map((key) => [key, values.get(`employee.${key}`)]),
    );
  if (employee === undefined) return {};
  if (!isPlainObject(employee)) {
    errors.push({
      path: 'employee',
      message: `must give an object such as {"email": …}, got ${describeValue(employee)} (mapping employee: "${source.fields.get('employee')?.text}")`,
    });
    return {};
  }
  return Object.fromEntries(
    Object.entries(employee)
      .map(([key, value]) => [key, nothingToUndefined(value)] as const)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, asText(value)]),
  );
}

function detailsFrom(
  source: SourceMapping,
  values: Map<string, unknown>,
  errors: Problem[],
): Record<string, unknown> | undefined {
  const details: Record<string, unknown> = {};
  if (source.fields.has('details')) {
    const whole = values.get('details');
    if (whole === undefined) return undefined;
    if (!isPlainObject(whole)) {
      errors.push({
        path: 'details',
        message: `must give an object of keys and values, got ${describeValue(whole)} (mapping details: "${source.fields.get('details')?.text}")`,
      });
      return undefined;
    }
    flatten(whole, '', details);
    return details;
  }
  let any = false;
  for (const [path, value] of values)
    if (path.startsWith('details.')) {
      any = true;
      flatten(value, path.slice('details.'.length), details);
    }
  return any ? details : undefined;
}

/**
 * Details are a flat map of strings, numbers and booleans: nested objects become dotted keys, lists of
 * plain values one comma-separated text, anything else its JSON; text is cut to what the schema allows.
 */
function flatten(value: unknown, key: string, into: Record<string, unknown>): void {
  if (value === undefined || value === null) return;
  if (isPlainObject(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, key ? `${key}.${k}` : k, into);
    return;
  }
  if (key === '') return;
  if (Array.isArray(value)) {
    const plain = value.every((v) => ['string', 'number', 'boolean'].includes(typeof v));
    into[key] = cut(plain ? value.join(', ') : JSON.stringify(value));
  } else if (typeof value === 'string') into[key] = cut(value);
  else if (typeof value === 'number') into[key] = Number.isFinite(value) ? value : String(value);
  else if (typeof value === 'boolean') into[key] = value;
  else into[key] = cut(String(value));
}

function cut(text: string): string {
  return text.length <= DETAIL_VALUE_MAX ? text : `${text.slice(0, DETAIL_VALUE_MAX - 1)}…`;
}

/** An error message with the expression that produced the field, and a hint when it produced nothing. */
function explain(source: SourceMapping, path: string, problem: string, values: Map<string, unknown>): string {
  const mapping = responsibleMapping(source, path);
  if (!mapping) {
    if (path === 'id') return `${problem} (the derived id; map "id" to give one)`;
    return `${problem} (no mapping for it in source "${source.name}": add map.${path})`;
  }
  const yieldedNothing = values.get(mapping.path) === undefined;
  const hint = yieldedNothing
    ? /^[A-Za-z_][A-Za-z0-9_]*$/.test(mapping.text)
      ? `; it yielded nothing for this body (for the literal text, quote it: "'${mapping.text}'")`
      : '; it yielded nothing for this body'
    : '';
  return `${problem} (mapping ${mapping.path}: "${mapping.text}"${hint})`;
}

/** The mapping entry that produced the value at `path`: the entry itself, or the nearest one above it. */
function responsibleMapping(source: SourceMapping, path: string): { path: string; text: string } | undefined {
  const parts = path.split('.');
  for (let n = parts.length; n > 0; n--) {
    const candidate = parts.slice(0, n).join('.');
    const found = source.fields.get(candidate);
    if (found) return { path: candidate, text: found.text };
  }
  // employee.email may be mapped field by field: a problem with the whole object names them all.
  const below = [...source.fields.entries()].filter(([p]) => p.startsWith(`${path}.`));
  if (below.length > 0)
    return { path, text: below.map(([p, c]) => `${p.slice(path.length + 1)}: ${c.text}`).join('; ') };
  return undefined;
}

function describeSourceIssue(issue: z.core.$ZodIssue, settings: unknown): string {
  if (issue.code === 'invalid_type') {
    const given = issue.path.reduce<unknown>(
      (at, key) => (isPlainObject(at) ? at[String(key)] : undefined),
      settings,
    );
    return given === undefined
      ? `is required: ${issue.message}`
      : `${issue.message} (got ${describeValue(given)})`;
  }
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code === 'unrecognized_keys') {
    const known =
      issue.path.length === 0
        ? Object.keys(sourceSchema.shape)
        : issue.path[issue.path.length - 1] === 'map'
          ? Object.keys(mappingSchema.shape)
          : issue.path[issue.path.length - 1] === 'signature'
            ? Object.keys(signatureSchema.shape)
            : [];
    return `unknown field(s) ${issue.keys.join(', ')}: remove them${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}`;
  }
  return describeIssue(issue);
}

/** JSONata's "no result" (undefined), JSON null and empty text all mean the field was not given. */
function nothingToUndefined(value: unknown): unknown {
  if (value === null || value === '') return undefined;
  if (Array.isArray(value) && value.length === 0) return undefined;
  return value;
}

/** Numbers stand for their text in text fields (an id of 1234 is "1234"); anything else is left to the schema. */
function asText(value: unknown): unknown {
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : value;
}

function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

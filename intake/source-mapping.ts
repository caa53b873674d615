import { createHash } from 'node:crypto';
import fs from 'node:fs';
import canonicalize from 'canonicalize';
import jsonata from 'jsonata';
import YAML from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../lib/config';
import { type AlertInput, InvalidAlertError, parseAlert } from '../shared/alert';
import { SEVERITIES } from '../shared/constants';

/**
 * Source mappings (sources.yml): for each source, one JSONata expression per AlertInput field, run on
 * the body the source's webhook sends. No code per vendor: the shipped examples are data.
 */

/** The fields a mapping may set; `employee.*` set one reference each, `employee` the whole object. */
export const MAPPED_FIELDS = [
  'id',
  'type',
  'title',
  'description',
  'severity',
  'occurredAt',
  'source',
  'employee',
  'employee.email',
  'employee.slackUserId',
  'employee.username',
  'details',
  'sensitiveKeys',
  'url',
] as const;
type MappedField = (typeof MAPPED_FIELDS)[number];

const REQUIRED: MappedField[] = ['type', 'title', 'severity'];

const sourceSchema = z
  .object({
    description: z.string().optional(),
    fields: z.record(
      z.enum(MAPPED_FIELDS, { error: `must be one of ${MAPPED_FIELDS.join(', ')}` }),
      z.string({ error: 'must be a JSONata expression (a string)' }).min(1),
    ),
  })
  .strict();
const fileSchema = z.object({ sources: z.record(z.string(), sourceSchema) }).strict();

interface CompiledSource {
  description?: string;
  fields: [MappedField, string, jsonata.Expression][];
}
export type SourceMappings = ReadonlyMap<string, CompiledSource>;

/** A sources file that cannot be used: the intake does not start, the CLI exits 2. */
export class SourceMappingError extends ConfigError {}

export const sourceNames = (m: SourceMappings): string[] => [...m.keys()].sort();

/** Reads sources.yml; a missing file is no mappings. Every problem names the source, the field and the fix. */
export function loadSourceMappings(file: string): SourceMappings {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Map();
    throw new SourceMappingError(`cannot read ${file}: ${(err as Error).message}`);
  }
  return parseSourceMappings(text, file);
}

export function parseSourceMappings(text: string, fileName: string): SourceMappings {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (err) {
    throw new SourceMappingError(`${fileName} is not valid YAML: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success)
    throw new SourceMappingError(
      `${fileName} is not a valid sources file (see examples/sources.yml):\n` +
        parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(file)'}: ${i.message}`).join('\n'),
    );
  const problems: string[] = [];
  const mappings = new Map<string, CompiledSource>();
  for (const [name, source] of Object.entries(parsed.data.sources)) {
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name))
      problems.push(`sources.${name}: a source name is 1–63 lower-case letters, digits and "-"`);
    for (const field of REQUIRED)
      if (!(field in source.fields))
        problems.push(`sources.${name}.fields.${field}: is required (a JSONata expression)`);
    if (!Object.keys(source.fields).some((f) => f.startsWith('employee')))
      problems.push(`sources.${name}.fields: needs employee or employee.email / .slackUserId / .username`);
    const fields: CompiledSource['fields'] = [];
    for (const [field, expression] of Object.entries(source.fields) as [MappedField, string][]) {
      try {
        const compiled = jsonata(expression);
        registerHelpers(compiled);
        fields.push([field, expression, compiled]);
      } catch (err) {
        problems.push(
          `sources.${name}.fields.${field}: not a valid JSONata expression: ${jsonataMessage(err)}`,
        );
      }
    }
    mappings.set(name, { ...(source.description ? { description: source.description } : {}), fields });
  }
  if (problems.length > 0)
    throw new SourceMappingError(`${fileName}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return mappings;
}

export type MappingResult =
  | { ok: true; alert: AlertInput; derivedId: boolean }
  | { ok: false; errors: { path: string; message: string }[] };

/** Maps one webhook body of `sourceName`; never throws for any body. */
export async function mapSourceBody(
  mappings: SourceMappings,
  sourceName: string,
  body: unknown,
  receivedAt: Date,
): Promise<MappingResult> {
  const source = mappings.get(sourceName);
  if (!source)
    return {
      ok: false,
      errors: [
        {
          path: '(source)',
          message: `no source named ${sourceName}; sources: ${sourceNames(mappings).join(', ') || 'none'}`,
        },
      ],
    };
  const errors: { path: string; message: string }[] = [];
  const draft: Record<string, unknown> = {};
  const employee: Record<string, unknown> = {};
  for (const [field, expression, compiled] of source.fields) {
    let value: unknown;
    try {
      value = await compiled.evaluate(body ?? {});
    } catch (err) {
      errors.push({ path: field, message: `${jsonataMessage(err)} (in ${JSON.stringify(expression)})` });
      continue;
    }
    if (value === undefined || value === null || value === '') continue;
    if (field.startsWith('employee.')) employee[field.slice('employee.'.length)] = asString(value);
    else if (field === 'employee') Object.assign(employee, isObject(value) ? value : {});
    else if (field === 'details') draft.details = flattenDetails(value);
    else if (field === 'sensitiveKeys')
      draft.sensitiveKeys = (Array.isArray(value) ? value : [value]).map(asString);
    else draft[field] = asString(value);
  }
  if (errors.length > 0) return { ok: false, errors };
  draft.employee = employee;
  draft.source ??= sourceName;
  draft.occurredAt ??= minuteOf(receivedAt);
  const derivedId = draft.id === undefined;
  if (derivedId) draft.id = deriveAlertId(sourceName, draft);
  try {
    return { ok: true, alert: parseAlert(draft), derivedId };
  } catch (err) {
    if (err instanceof InvalidAlertError)
      return {
        ok: false,
        errors: err.problems.map((p) => {
          const expression = source.fields.find(([f]) => f === p.field || p.field.startsWith(`${f}.`))?.[1];
          return {
            path: p.field,
            message: expression ? `${p.problem} (mapped by ${JSON.stringify(expression)})` : p.problem,
          };
        }),
      };
    return { ok: false, errors: [{ path: '(alert)', message: (err as Error).message }] };
  }
}

/**
 * An id for events that carry none: the source, then 24 hex digits of SHA-256 over the RFC 8785 JSON
 * of what identifies the event (type, employee, details, time). The same event sent twice gets the
 * same id, so a SIEM's retry does not start a second interview.
 */
export function deriveAlertId(sourceName: string, draft: Record<string, unknown>): string {
  const identity = canonicalize({
    source: sourceName,
    type: draft.type ?? null,
    employee: draft.employee ?? null,
    details: draft.details ?? null,
    occurredAt: draft.occurredAt ?? null,
  });
  const digest = createHash('sha256')
    .update(identity ?? '', 'utf8')
    .digest('hex')
    .slice(0, 24);
  return `${sourceName}-${digest}`;
}

/** Without an event time, the minute it arrived: a retry within the minute keeps the same derived id. */
function minuteOf(d: Date): string {
  const m = new Date(d);
  m.setUTCSeconds(0, 0);
  return m.toISOString();
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const asString = (v: unknown): string =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);

/** Details are flat: nested objects become dotted keys, lists of values one comma-separated string. */
const MAX_DETAILS = 50;
const MAX_VALUE = 2000;
export function flattenDetails(value: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  const walk = (prefix: string, v: unknown) => {
    if (v === null || v === undefined) return;
    if (typeof v === 'number' || typeof v === 'boolean') out[prefix] = v;
    else if (typeof v === 'string') out[prefix] = v.length > MAX_VALUE ? `${v.slice(0, MAX_VALUE - 1)}…` : v;
    else if (Array.isArray(v)) walk(prefix, v.map(asString).join(', '));
    else if (isObject(v))
      for (const [k, child] of Object.entries(v)) walk(prefix ? `${prefix}.${k}` : k, child);
  };
  walk('', isObject(value) ? value : { value });
  const keys = Object.keys(out).filter((k) => k.length <= 100);
  const kept = Object.fromEntries(keys.slice(0, MAX_DETAILS - 1).map((k) => [k, out[k]!]));
  const dropped = Object.keys(out).length - Object.keys(kept).length;
  return dropped > 0 ? { ...kept, 'vouch.detailsDropped': dropped } : kept;
}

/**
 * Helpers every mapping may use: `$severity(x)` turns a vendor's word (info, warning, error, Sev2, P1…)
 * into Vouch's severity, `$iso(x)` an epoch (seconds or milliseconds) or a date string into ISO 8601.
 */
function registerHelpers(e: jsonata.Expression): void {
  e.registerFunction('severity', (v: unknown) => severityOf(v), '<j:s>');
  e.registerFunction('iso', (v: unknown) => isoOf(v), '<j:s>');
}

const SEVERITY_WORDS: Record<string, (typeof SEVERITIES)[number]> = {
  informational: 'low',
  info: 'low',
  information: 'low',
  verbose: 'low',
  low: 'low',
  success: 'low',
  sev3: 'low',
  sev4: 'low',
  p4: 'low',
  p5: 'low',
  medium: 'medium',
  moderate: 'medium',
  warning: 'medium',
  warn: 'medium',
  sev2: 'medium',
  p3: 'medium',
  high: 'high',
  error: 'high',
  major: 'high',
  sev1: 'high',
  p2: 'high',
  critical: 'critical',
  crit: 'critical',
  fatal: 'critical',
  sev0: 'critical',
  p1: 'critical',
};

export function severityOf(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  return SEVERITY_WORDS[
    v
      .trim()
      .toLowerCase()
      .replace(/[\s_-]/g, '')
  ];
}

export function isoOf(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return new Date(v > 1e12 ? v : v * 1000).toISOString();
  if (typeof v === 'string' && v.trim() !== '') {
    if (/^\d+(\.\d+)?$/.test(v.trim())) return isoOf(Number(v));
    const t = Date.parse(v);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  return undefined;
}

function jsonataMessage(err: unknown): string {
  const e = err as { message?: string; code?: string; position?: number };
  return `${e.message ?? String(err)}${e.code ? ` [${e.code}${e.position !== undefined ? ` at ${e.position}` : ''}]` : ''}`;
}

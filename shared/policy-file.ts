import YAML from 'yaml';
import type { z } from 'zod';
import { type FieldProblem, describeIssue } from './alert';
import { type Policy, policySchema } from './policy';

/**
 * Policies as operators write them: a YAML or JSON file mapping alert types to policies
 * (`policies.yml`, `vouch policy set`), or one policy for one type. Every problem names its field as a
 * path (`aws.root_login.approval.timeout`) and says what to write instead.
 */
export const POLICY_TYPE_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** A policy as written (defaults not filled in), validated; stored like this so later defaults apply. */
export type PolicySettings = Record<string, unknown>;

export class InvalidPolicyError extends Error {
  override readonly name = 'InvalidPolicyError';
  constructor(
    readonly source: string,
    readonly problems: FieldProblem[],
  ) {
    super(
      `Invalid policy in ${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'}\n` +
        problems.map((p) => `  - ${p.field}: ${p.problem}`).join('\n'),
    );
  }
}

/** Validates one policy; `prefix` starts each field path (the alert type). */
export function policyProblems(settings: unknown, prefix: string): FieldProblem[] {
  const result = policySchema.safeParse(settings);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(policy)',
    problem: describePolicyIssue(issue, valueAt(settings, issue.path)),
  }));
}

export function parsePolicy(settings: unknown, alertType: string, source: string): PolicySettings {
  const problems = [...typeProblems(alertType), ...policyProblems(settings, alertType)];
  if (problems.length > 0) throw new InvalidPolicyError(source, problems);
  return settings as PolicySettings;
}

/**
 * A policy's verdict receivers name secrets of VOUCH_VERDICT_SECRETS: each named one must exist, or
 * every verdict of that type would be refused. Checked where the secrets are known (worker start, CLI).
 */
export function missingVerdictSecrets(
  policies: ReadonlyMap<string, PolicySettings>,
  secrets: Readonly<Record<string, string>>,
): FieldProblem[] {
  return [...policies].flatMap(([type, settings]) =>
    (effectivePolicy(settings).verdicts ?? []).flatMap((r, i) =>
      r.secretName in secrets
        ? []
        : [
            {
              field: `${type}.verdicts.${i}.secretName`,
              problem: `"${r.secretName}" is not a secret in VOUCH_VERDICT_SECRETS: add ${r.secretName}=whsec_… there, or name one it has`,
            },
          ],
    ),
  );
}

/** The effective policy: the settings with every default filled in. */
export function effectivePolicy(settings: PolicySettings): Policy {
  return policySchema.parse(settings);
}

/**
 * Parses a policies file. Without `alertType` the file maps alert types (or "default") to policies;
 * with it, the file is that one type's policy.
 */
export function parsePolicyFile(
  text: string,
  source: string,
  alertType?: string,
): Map<string, PolicySettings> {
  const doc = YAML.parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0)
    throw new InvalidPolicyError(
      source,
      doc.errors.map((e) => ({
        field: e.linePos ? `line ${e.linePos[0].line}` : '(file)',
        problem: `${e.message.split('\n')[0]!.replace(/:$/, '')}: not valid YAML or JSON`,
      })),
    );
  const content: unknown = doc.toJS();
  if (alertType !== undefined) return new Map([[alertType, parsePolicy(content ?? {}, alertType, source)]]);
  if (!isPlainObject(content) || Object.keys(content).length === 0)
    throw new InvalidPolicyError(source, [
      {
        field: '(file)',
        problem:
          'expected a map of alert types to policies, e.g. "aws.root_login: { mode: approval }" (or use --type for a file holding one policy)',
      },
    ]);
  const problems: FieldProblem[] = [];
  for (const [type, settings] of Object.entries(content))
    problems.push(...typeProblems(type), ...policyProblems(settings ?? {}, type));
  if (problems.length > 0) throw new InvalidPolicyError(source, problems);
  return new Map(Object.entries(content as Record<string, PolicySettings>).map(([t, s]) => [t, s ?? {}]));
}

function typeProblems(alertType: string): FieldProblem[] {
  return POLICY_TYPE_PATTERN.test(alertType)
    ? []
    : [
        {
          field: alertType || '(empty type)',
          problem: 'an alert type is 1–128 characters of A-Z a-z 0-9 . _ : - (or "default")',
        },
      ];
}

function describePolicyIssue(issue: z.core.$ZodIssue, given: unknown): string {
  // zod's issues do not carry the input: a value of the wrong type is not a missing one.
  if (issue.code === 'invalid_type' && given !== undefined)
    return `expected ${issue.expected === 'int' ? 'a whole number' : `a ${issue.expected}`}, not ${JSON.stringify(given)}`;
  if (issue.code === 'invalid_value')
    return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (issue.code !== 'unrecognized_keys') return describeIssue(issue);
  const known = knownKeys(issue.path);
  return issue.keys
    .map((key) => {
      const near = known.find((k) => editDistance(k.toLowerCase(), key.toLowerCase()) <= 2);
      return near
        ? `unknown field "${key}": did you mean "${near}"?`
        : `unknown field "${key}": remove it (known: ${known.join(', ')})`;
    })
    .join('; ');
}

function valueAt(settings: unknown, path: PropertyKey[]): unknown {
  let v = settings;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

/** The field names the schema allows at `path`. */
function knownKeys(path: PropertyKey[]): string[] {
  let shape: z.ZodType = policySchema;
  for (const key of path) {
    const inner = unwrap(shape);
    const next = 'shape' in inner ? (inner.shape as Record<string, z.ZodType>)[String(key)] : undefined;
    if (!next) return [];
    shape = next;
  }
  const inner = unwrap(shape);
  return 'shape' in inner ? Object.keys(inner.shape as object) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema as z.ZodType & { unwrap?: () => z.ZodType; def: { innerType?: z.ZodType } };
  while (s.def.innerType) s = s.def.innerType as typeof s;
  return s;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

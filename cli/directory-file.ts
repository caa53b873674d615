import YAML, { LineCounter, isMap, isSeq, type Node } from 'yaml';
import type { z } from 'zod';
import { DIRECTORY_FIELDS, type DirectoryEntry, directoryEntrySchema } from '../shared/directory-entry';

/**
 * A directory file (`vouch directory import`): CSV with a header row, or YAML (a list of entries, or
 * `employees:` holding one). Every mistake is collected, each naming its line, the field and the fix.
 */
export interface FileEntry {
  line: number;
  entry: DirectoryEntry;
}

export class InvalidDirectoryFileError extends Error {
  // Named as a usage error so the CLI exits with code 2.
  override readonly name = 'UsageError';
  constructor(
    file: string,
    readonly problems: string[],
  ) {
    super(`${file} has ${problems.length} problem(s), nothing was changed:\n  ${problems.join('\n  ')}`);
  }
}

type Row = { line: number; fields: Record<string, unknown> };

export function parseDirectoryFile(text: string, file: string): FileEntry[] {
  const problems: string[] = [];
  const rows = /\.ya?ml$/i.test(file) ? yamlRows(text, problems) : csvRows(text, problems);
  const entries: FileEntry[] = [];
  const seen = new Map<string, number>();
  for (const row of rows) {
    const parsed = directoryEntrySchema.safeParse(row.fields);
    if (!parsed.success) {
      problems.push(...parsed.error.issues.map((issue) => `line ${row.line}: ${describeIssue(issue)}`));
      continue;
    }
    const first = seen.get(parsed.data.email);
    if (first !== undefined)
      problems.push(
        `line ${row.line}: ${parsed.data.email} is already on line ${first}: keep one row per employee`,
      );
    else seen.set(parsed.data.email, row.line);
    entries.push({ line: row.line, entry: parsed.data });
  }
  if (problems.length > 0) throw new InvalidDirectoryFileError(file, problems);
  return entries;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: the fields are ${DIRECTORY_FIELDS.join(', ')}`;
  const field = issue.path.length > 0 ? issue.path.join('.') : 'entry';
  if (field === 'email' && issue.code === 'invalid_type') return 'field "email": every employee needs one';
  return `field "${field}": ${issue.message}`;
}

/** Column names as people write them in spreadsheets, to the entry's fields. */
const COLUMNS: Record<string, (typeof DIRECTORY_FIELDS)[number]> = {
  email: 'email',
  slackuserid: 'slackUserId',
  slackid: 'slackUserId',
  slack: 'slackUserId',
  aadobjectid: 'aadObjectId',
  entraobjectid: 'aadObjectId',
  objectid: 'aadObjectId',
  aliases: 'aliases',
  alias: 'aliases',
  name: 'name',
  displayname: 'name',
  timezone: 'timeZone',
  tz: 'timeZone',
  manager: 'manager',
};

function csvRows(text: string, problems: string[]): Row[] {
  const records = parseCsv(text.replace(/^\uFEFF/, ''));
  const header = records.shift();
  if (!header) {
    problems.push(
      'line 1: the file is empty: start with a header row, e.g. "email,slackUserId,aliases,name,timeZone,manager"',
    );
    return [];
  }
  const columns = header.cells.map((cell) => COLUMNS[cell.toLowerCase().replace(/[\s_-]/g, '')]);
  header.cells.forEach((cell, i) => {
    if (!columns[i])
      problems.push(
        `line ${header.line}: unknown column "${cell}": the columns are ${DIRECTORY_FIELDS.join(', ')}`,
      );
  });
  if (!columns.includes('email')) problems.push(`line ${header.line}: no "email" column`);
  if (problems.length > 0) return [];
  return records.map(({ line, cells }) => {
    const fields: Record<string, unknown> = {};
    cells.forEach((cell, i) => {
      const column = columns[i] ?? `column ${i + 1}`;
      if (cell.trim() === '') return;
      fields[column] = column === 'aliases' ? splitAliases(cell) : cell;
    });
    return { line, fields };
  });
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks. Blank lines are skipped. */
function parseCsv(text: string): { line: number; cells: string[] }[] {
  const records: { line: number; cells: string[] }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    cells.push(cell);
    if (cells.some((c) => c.trim() !== '')) records.push({ line: start, cells });
    cells = [];
    cell = '';
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else {
        if (ch === '\n') line++;
        cell += ch;
      }
    } else if (ch === '"' && cell.trim() === '') {
      quoted = true;
      cell = '';
    } else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      start = ++line;
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  return records;
}

function yamlRows(text: string, problems: string[]): Row[] {
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter });
  const lineOf = (node: Node | null | undefined) =>
    node?.range ? lineCounter.linePos(node.range[0]).line : 1;
  if (doc.errors.length > 0) {
    problems.push(
      ...doc.errors.map(
        (e) => `line ${e.linePos?.[0].line ?? '?'}: not valid YAML: ${e.message.split('\n')[0]}`,
      ),
    );
    return [];
  }
  const list = isMap(doc.contents) ? doc.contents.get('employees', true) : doc.contents;
  if (!isSeq(list)) {
    problems.push(
      `line ${lineOf(doc.contents as Node)}: expected a list of employees (or "employees:" holding one), each with email, slackUserId, aliases…`,
    );
    return [];
  }
  const rows: Row[] = [];
  for (const item of list.items) {
    const line = lineOf(item as Node);
    if (!isMap(item)) {
      problems.push(
        `line ${line}: expected an employee such as "- email: ana@example.com", found ${String(item)}`,
      );
      continue;
    }
    const fields = item.toJSON() as Record<string, unknown>;
    if (typeof fields.aliases === 'string') fields.aliases = splitAliases(fields.aliases);
    rows.push({ line, fields });
  }
  return rows;
}

/** Aliases in one cell: separated by semicolons or spaces ("ana; ana-lima; alima"). */
function splitAliases(cell: string): string[] {
  return cell.split(/[;\s]+/).filter((a) => a !== '');
}

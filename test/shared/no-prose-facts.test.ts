import path from 'node:path';
import type ts from 'typescript';
import { type Finding, createProgram, findProseFacts, projectSourceFiles } from '../helpers/prose-facts';

/**
 * Facts are data: no code outside the renderer reads an event's text or parses what the renderer
 * wrote. Checked with the compiler's types over every source file; the checker is shown to catch
 * each rule on small sources that break it.
 */
const ROOT = path.resolve(__dirname, '../..');

const IMPORTS = `
import type { EventOf, InterviewEvent, StoredEvent } from '../shared/record/events';
import type { TranscriptEntry } from '../shared/messages';
import type { InvestigationReport } from '../report/investigation';
import { renderActor, renderEvent, renderLine, rendererFor } from '../shared/record/render';
`;

/** Each source breaks one rule once, on the line marked `// <-`. */
const VIOLATIONS: Record<string, { rule: Finding['rule']; code: string }> = {
  'event text': {
    rule: 'event-text',
    code: `export const f = (e: InterviewEvent & { text: string }) => e.text; // <-`,
  },
  'one kind': {
    rule: 'event-text',
    code: `export const f = (e: EventOf<'legacy_note'>) => e.text.includes('Yes'); // <-`,
  },
  'stored event, element access': {
    rule: 'event-text',
    code: `export const f = (e: StoredEvent & { text: string }) => e['text']; // <-`,
  },
  'report transcript': {
    rule: 'event-text',
    code: `export const f = (r: InvestigationReport) => r.transcript.filter((t) => t.text.startsWith('Yes')); // <-`,
  },
  destructured: {
    rule: 'event-text',
    code: `export function f(entries: (TranscriptEntry & { text: string })[]) {
  for (const { text } of entries) return text; // <-
  return '';
}`,
  },
  'generic event': {
    rule: 'event-text',
    code: `export const f = <E extends TranscriptEntry & { text: string }>(e: E) => e.text; // <-`,
  },
  'rendered, parsed at once': {
    rule: 'parsed-rendering',
    code: `export const f = (e: InterviewEvent) => renderEvent(e).startsWith('Yes'); // <-`,
  },
  'rendered, held, then a regular expression': {
    rule: 'parsed-rendering',
    code: `export function f(e: InterviewEvent) {
  const line = renderLine(e);
  return /<@U/.test(line); // <-
}`,
  },
  'an array of renderings, iterated': {
    rule: 'parsed-rendering',
    code: `export function f(events: InterviewEvent[]) {
  const texts = events.map(renderLine);
  const ids: string[] = [];
  for (const text of texts) for (const m of text.matchAll(/<@(U[A-Z0-9]+)>/g)) ids.push(m[1]!); // <-
  return ids;
}`,
  },
  'a renderer, in a callback': {
    rule: 'parsed-rendering',
    code: `export const f = (events: InterviewEvent[]) =>
  events.map((e) => rendererFor({}).event(e)).some((t) => t.split(':')[0] === 'Yes'); // <-`,
  },
  'texts passed to a function that scans them for mentions': {
    rule: 'parsed-rendering',
    code: `function mentioned(texts: string[]) {
  const ids = new Set<string>();
  for (const text of texts) for (const m of text.matchAll(/<@([UW][A-Z0-9]+)>/g)) ids.add(m[1]!); // <-
  return ids;
}
export const f = (events: InterviewEvent[]) => mentioned(events.map(renderLine));`,
  },
  'a line passed to a function whose replacer reads the mention': {
    rule: 'parsed-rendering',
    code: `const named = (text: string) => text.replace(/<@(U\\w+)>/g, (_, id: string) => id.toLowerCase()); // <-
export const f = (e: InterviewEvent) => named(renderLine(e));`,
  },
  'an actor, concatenated then replaced': {
    rule: 'parsed-rendering',
    code: `export function f(e: InterviewEvent) {
  let who = '';
  who = 'by ' + renderActor(e.actor);
  return who.replace(/<@(\\w+)>/, '$1'); // <-
}`,
  },
};

const ALLOWED = `${IMPORTS}
export function allowed(e: InterviewEvent, r: InvestigationReport, summary: { text: string }) {
  const shown = renderEvent(e);
  const escaped = escape(renderLine(e));
  const withText = { ...e, text: renderEvent(e) };
  const answer = e.kind === 'employee_answer' ? e.answer : null;
  const texts = r.transcript.map((t) => \`\${t.kind}: \${renderEvent(t)}\`);
  return [shown.length, escaped, withText.kind, answer, summary.text.startsWith('x'), texts.join('\\n'), r.summary?.text];
}
function escape(text: string) {
  return text.replace(/[<>&]/g, '');
}
`;

const fixtureFile = (name: string) => `fixtures-prose/${name.replace(/\W+/g, '-')}.ts`;
const FIXTURES: Record<string, string> = Object.fromEntries([
  ...Object.entries(VIOLATIONS).map(([name, { code }]) => [fixtureFile(name), `${IMPORTS}\n${code}\n`]),
  [fixtureFile('allowed'), ALLOWED],
]);

describe('no code reads a fact from the record’s text', () => {
  let program: ts.Program;
  let files: string[];
  beforeAll(() => {
    // One program for the project and the fixtures: building one takes the compiler many seconds.
    files = projectSourceFiles(ROOT);
    program = createProgram(ROOT, files, FIXTURES);
  }, 180_000);

  it('holds for every source file outside the renderer', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files.map((f) => path.relative(ROOT, f))).toEqual(
      expect.arrayContaining(['report/investigation.ts', 'cli/people.ts', 'activities/pagerduty.ts']),
    );
    expect(findProseFacts(program, ROOT, files)).toEqual([]);
  }, 300_000); // the compiler checks every file's types: tens of seconds on a busy 2-core machine

  it.each(Object.entries(VIOLATIONS))('catches %s', (name, { rule }) => {
    const file = fixtureFile(name);
    const line = FIXTURES[file]!.split('\n').findIndex((l) => l.includes('// <-')) + 1;
    expect(findProseFacts(program, ROOT, [file])).toEqual([expect.objectContaining({ file, rule, line })]);
  });

  it('lets code show, escape and carry rendered text, and read fields', () => {
    expect(findProseFacts(program, ROOT, [fixtureFile('allowed')])).toEqual([]);
  });

  it('exempts only the renderer and the reader of records from before typed events', () => {
    const renderer = 'shared/record/render.ts';
    expect(findProseFacts(program, ROOT, [renderer])).toEqual([]);
    // Not exempt, the renderer's own reading of an old entry's text is caught.
    expect(findProseFacts(program, ROOT, [renderer], new Set())).toEqual([
      expect.objectContaining({ file: renderer, rule: 'event-text', code: 'e.text' }),
    ]);
  });
});

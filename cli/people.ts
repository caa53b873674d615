import type { InvestigationReport } from '../report/investigation';
import type { Collections, EmployeeDoc } from '../store/collections';

/**
 * People as operators know them. Vouch's records name people as Slack mentions (`<@U0ANA00001>`),
 * which Slack renders and a terminal does not: the CLI shows each as the name and email in the
 * employees cache ("Ana Lima <ana@example.com>"), or the bare Slack id when the cache has no entry.
 */
export type People = Map<string, Pick<EmployeeDoc, 'name' | 'email'>>;

const MENTION = /<@([UW][A-Z0-9]+)>/g;

/** The cached profiles of `ids` and of everyone mentioned in `texts`, in one query. */
export async function lookUpPeople(c: Collections, ids: (string | null | undefined)[], texts: string[]) {
  const wanted = new Set(ids.filter((id): id is string => Boolean(id)));
  for (const text of texts) for (const m of text.matchAll(MENTION)) wanted.add(m[1]!);
  const docs = await c.employees
    .find({ _id: { $in: [...wanted] } }, { projection: { name: 1, email: 1 } })
    .toArray();
  return new Map(docs.map((d) => [d._id, { name: d.name, email: d.email }])) as People;
}

export function describePerson(slackUserId: string, people: People): string {
  const p = people.get(slackUserId);
  if (p?.name && p.email) return `${p.name} <${p.email}>`;
  return p?.name ?? p?.email ?? slackUserId;
}

export function namePeople(text: string, people: People): string {
  return text.replace(MENTION, (_, id: string) => describePerson(id, people));
}

/** Every text of a report with its mentions named (the report's data itself keeps the Slack ids). */
export function reportWithPeopleNamed(r: InvestigationReport, people: People): InvestigationReport {
  const named = (text: string) => namePeople(text, people);
  return {
    ...r,
    timeline: r.timeline.map((t) => ({ ...t, text: named(t.text) })),
    transcript: r.transcript.map((t) => ({ ...t, actor: named(t.actor), text: named(t.text) })),
    actors: r.actors.map((a) => ({ actor: named(a.actor), actions: a.actions.map(named) })),
    secondFactor: {
      ...r.secondFactor,
      attempts: r.secondFactor.attempts.map((a) => ({ ...a, text: named(a.text) })),
    },
  };
}

/** The texts of a report that can mention people. */
export function reportTexts(r: InvestigationReport): string[] {
  return r.transcript.flatMap((t) => [t.actor, t.text]);
}

import type { InterviewEvent } from '../shared/record/events';
import { type Renderer, rendererFor } from '../shared/record/render';
import type { Collections, EmployeeDoc } from '../store/collections';

/**
 * People as operators know them. Vouch's records name people by Slack id, which Slack renders as a
 * mention and a terminal cannot: the CLI writes each as the name and email in the employees cache
 * ("Ana Lima <ana@example.com>"), or the bare Slack id when the cache has no entry.
 */
export type People = Map<string, Pick<EmployeeDoc, 'name' | 'email'>>;

/** Every Slack id an event names in its fields: who acted, the employee, operators, approvers. */
export function peopleIn(e: InterviewEvent): string[] {
  const ids = [e.actor];
  if ('employee' in e && e.employee.slackUserId) ids.push(e.employee.slackUserId);
  if ('operator' in e) ids.push(e.operator);
  if ('decidedBy' in e && e.decidedBy) ids.push(e.decidedBy);
  if ('by' in e && e.by) ids.push(e.by);
  if ('closedBy' in e) ids.push(e.closedBy);
  if ('approvers' in e) ids.push(...e.approvers);
  return ids;
}

/** The cached profiles of `ids` and of everyone the events name, in one query. */
export async function lookUpPeople(
  c: Collections,
  ids: (string | null | undefined)[],
  events: readonly InterviewEvent[] = [],
): Promise<People> {
  const wanted = new Set([...ids, ...events.flatMap(peopleIn)].filter((id): id is string => Boolean(id)));
  const docs = await c.employees
    .find({ _id: { $in: [...wanted] } }, { projection: { name: 1, email: 1 } })
    .toArray();
  return new Map(docs.map((d) => [d._id, { name: d.name, email: d.email }]));
}

export function describePerson(slackUserId: string, people: People): string {
  const p = people.get(slackUserId);
  if (p?.name && p.email) return `${p.name} <${p.email}>`;
  return p?.name ?? p?.email ?? slackUserId;
}

/** The renderer writing people by name and email (the record itself keeps the Slack ids). */
export function rendererNaming(people: People): Renderer {
  return rendererFor({ person: (id) => describePerson(id, people) });
}

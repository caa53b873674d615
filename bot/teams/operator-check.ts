import type { AlertStore } from '../../store/alerts';
import type { directoryStore } from '../../store/directory';
import type { InterviewGateway } from '../interviews';

export interface TeamsOperatorCheckDeps {
  interviews: Pick<InterviewGateway, 'state'>;
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>;
  alerts: Pick<AlertStore, 'get'>;
}

/**
 * Whether the alert is about the Teams operator who pressed a button: the interview names its
 * employee by Slack id (or `aad:<object id>`), the alert by email, and the directory ties the
 * operator's Entra object id to both. The interview refuses it too; asking first tells the operator
 * why nothing happened.
 */
export async function isAboutOperator(
  deps: TeamsOperatorCheckDeps,
  workflowId: string,
  aadObjectId: string,
): Promise<boolean> {
  const [entry, state, doc] = await Promise.all([
    deps.directory.byAadObjectId(aadObjectId),
    deps.interviews.state(workflowId),
    deps.alerts.get(workflowId.replace(/^alert-/, '')),
  ]);
  const operatorIs = new Set(
    [`aad:${aadObjectId}`, entry?.slackUserId, entry?.email.toLowerCase()].filter(Boolean),
  );
  const subjectIs = [
    state.employee,
    doc?.employeeSlackId,
    doc?.employee?.email?.toLowerCase(),
    doc?.input.employee.email?.toLowerCase(),
    doc?.input.employee.slackUserId,
  ];
  return subjectIs.some((id) => id && operatorIs.has(id));
}

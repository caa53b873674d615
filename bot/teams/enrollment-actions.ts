import type { TeamsConfig } from '../../lib/config';
import type { Logger } from '../../lib/logger';
import { type TeamsConnector, teamsConnector } from '../../lib/teams-connector';
import { emailKey, employeeKey } from '../../shared/employee-key';
import { pairingResultText, wrongPairingCodeError } from '../../slack-blocks/enrollment';
import { cardActivity } from '../../teams/card-message';
import {
  ENROLLMENT_TEAMS_ACTIONS,
  PAIRING_INPUT,
  enrollmentActionData,
  enrollmentApprovalCard,
  teamsPerson,
} from '../../teams/enrollment-cards';
import type { DirectoryEntry } from '../../shared/directory-entry';
import type { directoryStore } from '../../store/directory';
import { type EnrollmentLinks, linkEmployee } from '../../store/enrollment-links';
import type { EnrollmentNotices } from '../enrollment-notices';
import type { TeamsActivity, TeamsReply } from './answers';
import { chatReplier } from './chat';

/**
 * An enrollment link's approval in the operators' Teams channel, for an organisation on Teams alone (or
 * when Slack refuses the request): the card asks for the pairing code, and only a configured Teams
 * operator who is not the employee enrolling can approve or deny, as in Slack's security channel.
 */
export function teamsEnrollmentNotices(
  teams: Pick<TeamsConfig, 'operatorsConversation'>,
  connector: TeamsConnector,
): EnrollmentNotices {
  const post = async (message: Record<string, unknown>) => {
    if (!teams.operatorsConversation) return false;
    await connector.conversations.createActivity(teams.operatorsConversation, message as never);
    return true;
  };
  return {
    requestApproval: (linkId, employee) => post(cardActivity(enrollmentApprovalCard(linkId, employee))),
    enrollmentDone: (employee, what = 'Second-factor enrollment') =>
      post({ type: 'message', text: `${what} completed for ${teamsPerson(employee)}.` }),
  };
}

/** The notices of the bot's own Teams app (config.teams), with its own Bot Connector client. */
export function teamsEnrollmentNoticesFor(teams: TeamsConfig): EnrollmentNotices {
  return teamsEnrollmentNotices(teams, teamsConnector(teams));
}

export interface TeamsEnrollmentDeps {
  links: Pick<EnrollmentLinks, 'get' | 'approve' | 'deny'>;
  directory: Pick<ReturnType<typeof directoryStore>, 'byAadObjectId'>;
  connector?: TeamsConnector;
  logger: Logger;
  /** The operators' Teams channel, and who may act there (Entra object ids, lower case). */
  operatorsConversation?: string;
  operators: readonly string[];
}

/** The card's Approve and Deny; undefined for any other activity, which the caller handles. */
export function teamsEnrollmentActions(deps: TeamsEnrollmentDeps) {
  const replyInChat = chatReplier(deps);
  const say = async (activity: TeamsActivity, text: string): Promise<TeamsReply> => {
    await replyInChat(activity, { type: 'message', text });
    return { status: 200 };
  };
  return async function handleEnrollment(activity: TeamsActivity): Promise<TeamsReply | undefined> {
    if (activity.type !== 'message') return undefined;
    const data = enrollmentActionData(activity.value);
    if (!data) return undefined;
    const channel = activity.conversation?.id?.split(';')[0];
    if (!deps.operatorsConversation || channel !== deps.operatorsConversation) return { status: 200 };
    const oid = activity.from?.aadObjectId?.toLowerCase();
    if (!oid || !deps.operators.includes(oid))
      return say(activity, 'Only the operators named in VOUCH_TEAMS_OPERATORS can approve an enrollment.');
    const now = new Date();
    const link = await deps.links.get(data.linkId);
    if (!link || link.state !== 'awaiting_approval' || link.expiresAt <= now)
      return say(activity, 'This enrollment is no longer waiting for approval.');
    const operator = `aad:${oid}`;
    const entry = await deps.directory.byAadObjectId(oid);
    const operatorKeys = keysOfOperator(oid, entry);
    const operatorName = entry?.name ?? entry?.email ?? operator;
    const employee = teamsPerson(linkEmployee(link));
    if (operatorKeys.includes(linkEmployee(link)))
      return say(activity, 'Another operator must approve your own enrollment.');
    if (data.vouch === ENROLLMENT_TEAMS_ACTIONS.deny) {
      const result = await deps.links.deny(link._id, operator, now, { operatorKeys });
      if (result !== 'denied') return say(activity, pairingResultText(result));
      return say(activity, `Enrollment of ${employee} refused by ${operatorName}.`);
    }
    const code = typeof data[PAIRING_INPUT] === 'string' ? data[PAIRING_INPUT] : '';
    const { result, attemptsLeft } = await deps.links.approve(link._id, code, operator, now, {
      operatorKeys,
    });
    if (result === 'wrong_code') return say(activity, wrongPairingCodeError(attemptsLeft));
    if (result !== 'approved' && result !== 'denied') return say(activity, pairingResultText(result));
    const decided = result === 'approved' ? 'approved' : 'refused';
    return say(
      activity,
      `Enrollment of ${employee} ${decided} by ${operatorName}. ${pairingResultText(result)}`,
    );
  };
}

/** Every key the operator's own factors could be kept under: their `aad:` id, Slack id or email. */
function keysOfOperator(oid: string, entry: DirectoryEntry | null): string[] {
  return [
    `aad:${oid}`,
    ...(entry ? [employeeKey(entry), entry.slackUserId, emailKey(entry.email)] : []),
  ].filter((k): k is string => Boolean(k));
}

import type { WebClient } from '@slack/web-api';
import type { Logger } from '../lib/logger';
import type { UntimedEvent } from '../shared/record/events';
import type { AlertStore } from '../store/alerts';
import type { Collections } from '../store/collections';
import type { EnrollmentLinks } from '../store/enrollment-links';
import type { AnswerLinks } from '../store/answer-links';
import type { SecondFactors } from '../store/second-factors';
import type { PasskeyCeremonies } from '../store/passkey-ceremonies';
import type { passkeyProofs } from '../store/passkey-proofs';
import type { PasskeyStore } from '../store/passkeys';
import type { HeldAnswers } from './held-answers';
import type { InterviewGateway } from './interviews';

/** What the listeners need, given by bot/create-bot.ts (and by tests). */
export interface BotDeps {
  interviews: InterviewGateway;
  logger: Logger;
  /** Delivers an employee's answer, or keeps it while Temporal is unreachable (bot/held-answers.ts). */
  held: HeldAnswers;
  encryptionKey?: Buffer;
  /** True for configured operators: Slack user ids, or members of the configured user groups. */
  isOperator(client: WebClient, userId: string): Promise<boolean>;
  /** Appends to an alert's audit trail, once per key. */
  audit(workflowId: string, key: string, entry: UntimedEvent): Promise<void>;
  /** The interview whose DM thread this is (`channel`, thread `ts`), and who may answer in it. */
  threadOwner(channel: string, threadTs: string): Promise<{ workflowId: string; slackUserId: string } | null>;
  alerts: AlertStore;
  collections: Collections;
  factors: SecondFactors;
  links: EnrollmentLinks;
  /** The email channel's one-time links to the answer page. */
  answerLinks: AnswerLinks;
  /** WebAuthn registration and authentication, for the relying party of VOUCH_PUBLIC_URL. */
  passkeys: PasskeyCeremonies;
  passkeyProofs: ReturnType<typeof passkeyProofs>;
  passkeyStore: PasskeyStore;
  /** Base URL of the enrollment and answer pages, and the channel where operators approve enrollments. */
  publicUrl: string;
  securityChannel?: string;
}

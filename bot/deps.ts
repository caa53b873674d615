import type { Logger } from '../lib/logger';
import type { TranscriptEntry } from '../shared/messages';
import type { InterviewGateway } from './interviews';

/** What the listeners need, given by bot/app.ts (and by tests). */
export interface BotDeps {
  interviews: InterviewGateway;
  logger: Logger;
  encryptionKey?: Buffer;
  /** Slack user ids and user group ids allowed to press the security channel's buttons. */
  operators: string[];
  /** Appends to an alert's audit trail, once per key. */
  audit(workflowId: string, key: string, entry: Omit<TranscriptEntry, 'at'>): Promise<void>;
  /** The interview whose DM thread this is (`channel`, thread `ts`), and who may answer in it. */
  threadOwner(channel: string, threadTs: string): Promise<{ workflowId: string; slackUserId: string } | null>;
}

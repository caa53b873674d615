import { type Client, WorkflowExecutionAlreadyStartedError, type WorkflowHandle } from '@temporalio/client';
import { WorkflowIdReusePolicy } from '@temporalio/common';
import { type AlertInputDraft, parseAlert } from '../shared/alert';
import { DEFAULT_TASK_QUEUE, WORKFLOW_TYPE, workflowIdForAlert } from '../shared/constants';
import type { alertInterview } from '../workflows/alert-interview';
import { PayloadKeyError, vouchDataConverter } from '../lib/payload-codec';
import { interviewDetails, interviewSummary } from './web-ui-summary';

/**
 * What alert producers import: validate an alert and start its interview over gRPC. A malformed alert
 * throws InvalidAlertError (every bad field listed) before anything is started; a second start for the
 * same alert id starts nothing and returns the existing interview's handle.
 */
export {
  parseAlert,
  InvalidAlertError,
  alertInputSchema,
  type AlertInput,
  type AlertInputDraft,
} from '../shared/alert';

export { EncryptionCodec, PayloadKeyError } from '../lib/payload-codec';

/**
 * The data converter that keeps a producer's alerts out of Temporal history in plain text: pass it to
 * the Temporal client that starts interviews, `new Client({ connection, dataConverter:
 * encryptedDataConverter(key) })`, with the key Vouch runs with (VOUCH_ENCRYPTION_KEY, as base64 or
 * bytes). A plain client still works, but its alerts are readable in the history.
 */
export function encryptedDataConverter(
  encryptionKey: Buffer | string,
): ReturnType<typeof vouchDataConverter> {
  const key = typeof encryptionKey === 'string' ? Buffer.from(encryptionKey.trim(), 'base64') : encryptionKey;
  if (
    (typeof encryptionKey === 'string' && !/^[A-Za-z0-9+/]+={0,2}$/.test(encryptionKey.trim())) ||
    key.length !== 32
  )
    throw new PayloadKeyError(
      'encryptionKey: expected the 32-byte key Vouch runs with (VOUCH_ENCRYPTION_KEY), as base64 or a Buffer',
    );
  return vouchDataConverter({ current: key });
}

export interface StartedInterview {
  workflowId: string;
  handle: WorkflowHandle<typeof alertInterview>;
  /** True when an interview for this alert id already existed; nothing new was started. */
  alreadyExisted: boolean;
}

export async function startInterview(
  client: Client,
  draft: AlertInputDraft | unknown,
  opts: {
    taskQueue?: string;
    /** Kept in the interview's memo beside the title and source (the intake records which source posted it). */
    memo?: Record<string, string>;
  } = {},
): Promise<StartedInterview> {
  const alert = parseAlert(draft);
  const workflowId = workflowIdForAlert(alert.id);
  try {
    const handle = await client.workflow.start<typeof alertInterview>(WORKFLOW_TYPE, {
      workflowId,
      taskQueue: opts.taskQueue ?? DEFAULT_TASK_QUEUE,
      args: [alert],
      // One interview per alert id, ever: a closed interview is not started again either.
      workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
      searchAttributes: {
        VouchAlertType: [alert.type],
        VouchSeverity: [alert.severity],
        VouchPhase: ['starting'],
        VouchEmployee: [alert.employee.email ?? alert.employee.slackUserId ?? alert.employee.username ?? ''],
      },
      memo: { ...opts.memo, title: alert.title, source: alert.source },
      staticSummary: interviewSummary(alert),
      staticDetails: interviewDetails(alert),
    });
    return { workflowId, handle, alreadyExisted: false };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError)
      return {
        workflowId,
        handle: client.workflow.getHandle<typeof alertInterview>(workflowId),
        alreadyExisted: true,
      };
    throw err;
  }
}

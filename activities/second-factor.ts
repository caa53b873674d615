import { ApplicationFailure } from '@temporalio/common';
import { sealedCodeContext } from '../shared/sealed-code';
import { SecretBoxError, open } from '../lib/secret-box';
import { secondFactors } from '../store/second-factors';
import { type VerifyOutcome, verifyTotp } from '../store/totp-verification';
import type { ActivityContext } from './context';
import { employeeKey } from '../shared/employee-key';
import { isPasskeyProof, passkeyProofs } from '../store/passkey-proofs';

/**
 * The employee's second factor: whether they have one, and checking what they submitted: a TOTP code,
 * or the proof of a passkey check made on the answer page (store/passkey-proofs.ts). The "slackUserId"
 * of a submission is the employee key (shared/employee-key.ts), which is the Slack id for anyone in Slack.
 */
export function createSecondFactorActivities(ctx: ActivityContext) {
  const { deps, log, now } = ctx;
  return {
    /** By Slack id, or by email for an employee without Slack (shared/employee-key.ts). */
    async isEnrolled(input: { slackUserId?: string; email?: string }): Promise<boolean> {
      const key = employeeKey(input);
      return key !== undefined && (await secondFactors(ctx.c, deps.encryptionKey).hasAny(key));
    },

    /** Opens the sealed code and checks it; the code never leaves this activity. */
    async verifySecondFactor(input: {
      alertId: string;
      workflowId: string;
      slackUserId: string;
      sealedCode: string;
    }): Promise<{ outcome: VerifyOutcome; lockedUntil?: string }> {
      let code: string;
      try {
        code = open(
          requireKey(deps.encryptionKey),
          input.sealedCode,
          sealedCodeContext(input.workflowId, input.slackUserId),
        );
      } catch (err) {
        log.warn(
          { workflowId: input.workflowId, err: (err as Error).message },
          'second-factor code could not be opened',
        );
        return { outcome: 'rejected' };
      }
      // A passkey check the answer page already passed, handed over in place of a code.
      if (isPasskeyProof(code)) {
        const outcome = await passkeyProofs(ctx.c).redeem(
          code,
          { workflowId: input.workflowId, employee: input.slackUserId },
          now(),
        );
        return { outcome };
      }
      try {
        const result = await verifyTotp(ctx.c, deps.encryptionKey, input.slackUserId, code, now());
        return { outcome: result.outcome, lockedUntil: result.lockedUntil?.toISOString() };
      } catch (err) {
        // A secret this worker cannot decrypt (wrong or missing key) is an operator's problem to fix:
        // say so loudly, and fail closed (the attempt does not verify) instead of retrying forever.
        if (!(err instanceof SecretBoxError)) throw err;
        log.error(
          { workflowId: input.workflowId, slackUserId: input.slackUserId, err: err.message },
          'cannot decrypt the second factor: fix VOUCH_ENCRYPTION_KEY (or run vouch factor rotate-key)',
        );
        return { outcome: 'unavailable' };
      }
    },
  };
}

function requireKey(key: Buffer | undefined): Buffer {
  if (!key)
    throw ApplicationFailure.create({
      type: 'NoEncryptionKey',
      message: 'VOUCH_ENCRYPTION_KEY is not set: second-factor codes cannot be checked',
      nonRetryable: true,
    });
  return key;
}

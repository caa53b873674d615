import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import type { Transporter } from 'nodemailer';
import { answerLinks } from '../../store/answer-links';
import { alertFacts } from '../../web/alert-facts';
import { type Mail, askMail, outcomeMail, reminderMail } from '../../web/interview-mail';
import type { ActivityContext } from '../context';
import type {
  AskInput,
  ChannelRef,
  EmployeeChannel,
  RemindInput,
  TellOutcomeInput,
} from './employee-channel';

/** The email channel's settings (VOUCH_SMTP_URL, VOUCH_MAIL_FROM) and where the answer page is. */
export interface MailDeps {
  transport: Transporter;
  from: string;
  /** VOUCH_PUBLIC_URL: the answer page's links start with it. */
  publicUrl: string;
}

/** The path of the answer page for one link's token. */
export const answerPath = (token: string) => `/answer/${token}`;

/**
 * The email channel: a one-time link to Vouch's answer page by email, reminders as replies in the same
 * thread (each with a fresh link: only hashes are stored, so a sent link cannot be sent again), and
 * the outcome as the thread's last reply, when every link of the interview closes.
 */
export function emailChannel(ctx: ActivityContext): EmployeeChannel {
  const links = answerLinks(ctx.c);
  const mail = (): MailDeps => {
    if (!ctx.deps.mail)
      throw ApplicationFailure.create({
        type: 'MailNotConfigured',
        message: 'the email channel needs VOUCH_SMTP_URL and VOUCH_MAIL_FROM',
        nonRetryable: true,
      });
    return ctx.deps.mail;
  };
  const newLink = async (input: {
    workflowId: string;
    alertId: string;
    email: string;
    linkExpiresAt: string;
  }) => {
    const { token } = await links.create(
      {
        workflowId: input.workflowId,
        alertId: input.alertId,
        email: input.email,
        expiresAt: new Date(input.linkExpiresAt),
      },
      ctx.now(),
    );
    return `${mail().publicUrl}${answerPath(token)}`;
  };
  const send = async (to: string, m: Mail, headers: { messageId: string; inReplyTo?: string }) => {
    const { transport, from } = mail();
    try {
      await transport.sendMail({
        from,
        to,
        subject: m.subject,
        text: m.text,
        html: m.html,
        messageId: headers.messageId,
        ...(headers.inReplyTo ? { inReplyTo: headers.inReplyTo, references: [headers.inReplyTo] } : {}),
      });
    } catch (err) {
      throw mailFailure(err);
    }
  };

  return {
    async ask(input: AskInput): Promise<ChannelRef> {
      const to = input.email;
      if (!to) throw new Error("the email channel needs the employee's email address");
      const alert = await ctx.loadAlert(input.alertId);
      const messageId = threadMessageId(input.workflowId, 'ask', mail().from);
      await ctx.once(`${input.workflowId}:email`, async () => {
        const link = await newLink({ ...input, email: to });
        await send(to, askMail(alertFacts(alert), link, input.answerDueAt, input.employeeName), {
          messageId,
        });
        return { messageId };
      });
      return { channel: 'email', messageId, to };
    },

    async remind(input: RemindInput): Promise<void> {
      const { ref } = input;
      if (ref.channel !== 'email') throw new Error('not an email thread');
      const alert = await ctx.loadAlert(input.alertId);
      await ctx.once(`${input.workflowId}:email-reminder:${input.n}`, async () => {
        const link = await newLink({ ...input, email: ref.to });
        const messageId = threadMessageId(input.workflowId, `reminder-${input.n}`, mail().from);
        await send(ref.to, reminderMail(alertFacts(alert), link, input.n, input.deadlineAt), {
          messageId,
          inReplyTo: ref.messageId,
        });
        return { messageId };
      });
    },

    async tellOutcome(input: TellOutcomeInput): Promise<void> {
      const { ref } = input;
      if (ref.channel !== 'email') throw new Error('not an email thread');
      // Closed first: a link must not work after the outcome even if the email below never goes out.
      await links.closeAll(input.workflowId, ctx.now());
      const alert = await ctx.loadAlert(input.alertId);
      await ctx.once(`${input.workflowId}:email-outcome`, async () => {
        const messageId = threadMessageId(input.workflowId, 'outcome', mail().from);
        await send(ref.to, outcomeMail(alertFacts(alert), input.outcome), {
          messageId,
          inReplyTo: ref.messageId,
        });
        return { messageId };
      });
    },
  };
}

/**
 * A Message-ID fixed by the interview and step, so a retried send is the same message to the
 * recipient's mail system, and replies can name the question's id before it is sent.
 */
export function threadMessageId(workflowId: string, step: string, from: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'vouch.invalid';
  const id = createHash('sha256').update(workflowId).digest('hex').slice(0, 32);
  return `<vouch.${id}.${step}@${domain}>`;
}

/**
 * SMTP answers 5xx when the same message will be refused again (no such mailbox, a policy refusal):
 * that is final, and the interview moves on to its next channel or fails closed. Anything else (4xx,
 * a connection that failed) is retried.
 */
function mailFailure(err: unknown): Error {
  const e = err as { responseCode?: number; message?: string };
  if (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.responseCode < 600)
    return ApplicationFailure.create({
      type: 'MailRejected',
      message: `the mail server refused the message: ${e.responseCode} ${e.message ?? ''}`.trim(),
      nonRetryable: true,
    });
  return err instanceof Error ? err : new Error(`sending mail failed: ${String(err)}`);
}

import nodemailer from 'nodemailer';
import type { Config } from '../../lib/config';
import type { MailDeps } from './email';

/** The email channel's SMTP transport, from VOUCH_SMTP_URL; undefined when it is unset. */
export function createMailDeps(config: Pick<Config, 'mail' | 'publicUrl'>): MailDeps | undefined {
  if (!config.mail) return undefined;
  return {
    transport: nodemailer.createTransport(config.mail.smtpUrl),
    from: config.mail.from,
    publicUrl: config.publicUrl,
  };
}

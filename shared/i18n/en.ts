/**
 * What the employee (and their manager) reads, in English: the source of every message key. Values are
 * Slack mrkdwn or plain text as the builder in slack-blocks/ uses them; `{name}` is filled by the
 * builder with text it already made safe. Keys ending in `.one` / `.other` are plural forms.
 */
export const en = {
  // The interview DM and its reminders
  'dm.notification': 'Security check: did you do this? {title}',
  'dm.intro': ':wave: Hi! Our security monitoring saw the activity below on your account. Was it you?',
  'dm.yes': 'Yes, that was me',
  'dm.no': "No, it wasn't me",
  'dm.noConfirmTitle': 'Report this as not you?',
  'dm.noConfirmText': 'The security team will be alerted right away.',
  'dm.noConfirmButton': "It wasn't me",
  'dm.coerced': 'Someone asked me to do this',
  'dm.coercedConfirmTitle': 'Someone asked you to do this?',
  'dm.coercedConfirmText':
    'The security team will be alerted right away and will contact you. You are not in trouble.',
  'dm.coercedConfirmButton': 'Tell security',
  'dialog.goBack': 'Go back',
  'reminder.first': 'Reminder: please answer the security check about "{title}" above, before {deadline}.',
  'reminder.again':
    'Reminder ({n}): please answer the security check about "{title}" above, before {deadline}.',
  'rollup.notification': 'Security check: {count} similar alerts, one answer. Latest: {title}',
  'rollup.covers':
    ':repeat: This question now covers *{count} alerts* like this one; your answer decides all of them. The latest:',

  // The alert as the messages show it
  'alert.facts': 'When: {when}  ·  Source: {source}  ·  Severity: {severity}',
  'severity.low': 'low',
  'severity.medium': 'medium',
  'severity.high': 'high',
  'severity.critical': 'critical',
  'alert.moreDetails': '{count} more details in the report.',
  'alert.link': 'View the alert',
  'alert.linkNotLive': 'Alert link (not a host Vouch links to): {url}',
  'alert.untitled': 'Security check',

  // The DM once the interview has an outcome
  'outcome.confirmed_verified':
    ':white_check_mark: Thanks, you confirmed this and verified it was you. Nothing else to do.',
  'outcome.denied':
    ':rotating_light: You reported that this was not you. The security team has been alerted and will contact you shortly. Please keep an eye on your account.',
  'outcome.no_response': ':hourglass: This check expired without an answer and went to the security team.',
  'outcome.second_factor_failed':
    ':x: The second-factor check did not succeed, so this went to the security team.',
  'outcome.not_enrolled':
    ':information_source: You have no second factor enrolled, so the security team will follow up.',
  'outcome.unknown_employee': 'This check could not be matched to you and went to the security team.',
  'outcome.suppressed': 'You recently confirmed the same activity; nothing to do.',
  'outcome.skipped_by_operator': 'The security team closed this check; nothing to do.',
  'outcome.closed_by_operator': 'The security team closed this check; nothing to do.',
  'outcome.escalated_by_operator': 'The security team has taken over this check.',
  'outcome.disabled_by_policy': 'Nothing to do: this kind of alert is not checked with you.',
  'outcome.failed_closed': 'Vouch could not finish this check, so it went to the security team.',
  'outcome.cancelled': 'This check was stopped, and the security team has been told.',
  'outcome.manager_confirmed':
    ':information_source: This check expired without your answer; your manager said they know about it, so it was closed.',
  'outcome.coercion_reported': [
    ':rotating_light: Thank you for telling us. Please do this now:',
    '• End the call or chat with whoever asked you.',
    '• Share no codes and approve no login prompts, whoever asks.',
    "• Don't install or run anything they sent you.",
    'The security team has been alerted as a priority and will contact you here in Slack shortly. Treat anyone else who says they are from security with suspicion until then.',
  ].join('\n'),

  // Modals
  'modal.cancel': 'Cancel',
  'modal.close': 'Close',
  'modal.notRecordedTitle': 'Not recorded',
  'secondFactor.title': 'Confirm it was you',
  'secondFactor.submit': 'Verify',
  'secondFactor.why': 'Why did you do this?',
  'secondFactor.whyExample': 'e.g. setting up the new billing account, ticket OPS-123',
  'secondFactor.code': 'Code from your authenticator app',
  'secondFactor.codeHint': 'The 6 digits for Vouch. Never share this code with anyone.',
  'secondFactor.coerced': 'Someone is asking me to do this right now',
  'secondFactor.passkeyInstead': 'Verify with a passkey instead',
  'secondFactor.passkey': 'Verify with a passkey',
  'secondFactor.passkeyHint': 'Opens a Vouch page in your browser, where your passkey confirms it was you.',
  'secondFactor.codeFormat': 'Enter the 6 digits your authenticator app shows for Vouch.',
  'secondFactor.wrongCode.one': "That code didn't work. {n} attempt left.",
  'secondFactor.wrongCode.other': "That code didn't work. {n} attempts left.",
  'secondFactor.notAvailableTitle': 'Not available',
  'secondFactor.notAvailable': 'Vouch is misconfigured; the security team will follow up.',
  'secondFactor.verifyingTitle': 'Verifying…',
  'secondFactor.verifying': ':hourglass: Checking your code…',
  'secondFactor.verifiedTitle': 'Verified',
  'secondFactor.verified': ':white_check_mark: Verified. Thanks, there is nothing else to do.',
  'secondFactor.tryAgainTitle': 'Try again',
  'secondFactor.tryAgain.one': 'That code didn\'t work ({n} attempt left). Press "{yes}" again.',
  'secondFactor.tryAgain.other': 'That code didn\'t work ({n} attempts left). Press "{yes}" again.',
  'secondFactor.notVerifiedTitle': 'Not verified',
  'secondFactor.notVerified':
    ':x: The code could not be verified, so the security team will follow up with you.',
  'coercion.modalTitle': 'Security alerted',
  'coercion.modal':
    ':rotating_light: Thank you for telling us. End the call or chat with whoever asked you, share no codes and approve no login prompts. The security team will contact you here in Slack shortly.',

  // The bot's short answers to the employee's clicks
  'reply.denied': ':rotating_light: Thanks for telling us. The security team has been alerted.',
  'reply.coerced':
    ':rotating_light: Thank you. The security team has been alerted as a priority. End the call or chat with whoever asked you, share no codes and approve no login prompts.',
  'reply.checkGone': "This check doesn't exist any more; nothing to do.",
  'reply.notYourAlert': ":no_entry: This isn't your alert, so you can't answer it.",
  'reply.finished': 'This check is already finished; thanks, nothing else to do.',
  'reply.timePassed': 'The time to answer this check has passed; the security team will follow up with you.',
  'reply.alreadyAnswered': 'You have already answered this check; thanks.',
  'reply.notSaved': 'Vouch could not record that just now; nothing was saved. Please try again in a minute.',
  'reply.noLongerYours': 'This check is already finished or is no longer yours to answer.',
  'reply.held':
    'Vouch could not pass your answer on just now, so it has kept it and passes it on as soon as it can. No need to send it again.',
  'reply.heldCoerced':
    'Thank you. Vouch could not alert the security team just now, so it has kept your answer and alerts them as soon as it can. End the call or chat with whoever asked you, share no codes and approve no login prompts.',

  // Microsoft Teams: the card, its code dialog and their answers; plain text (Teams shows it literally)
  'teams.ask': 'Did you do this? Security check from Vouch',
  'teams.askNamed': 'Hi {name}, did you do this? Security check from Vouch',
  'teams.answerBy': 'Please answer before {deadline}.',
  'teams.dialogLead': 'Confirm "{title}" with the 6-digit code from your authenticator app.',
  'teams.dialogLeadPasskey': 'Confirm "{title}" with your passkey.',
  'teams.dialogLeadBoth':
    'Confirm "{title}" with the 6-digit code from your authenticator app, or with your passkey.',
  'teams.why': 'Why did you do it? (optional)',
  'teams.verifying': 'Verifying… the card in the chat shows the outcome.',
  'teams.verified': 'Verified: thanks, nothing else to do.',
  'teams.coerced':
    'Thank you for telling us. End the call or chat with whoever asked you, share no codes and approve no login prompts. The security team has been alerted as a priority and will contact you here in Teams shortly.',
  'teams.outcome.coercion_reported': [
    'Thank you for telling us. Please do this now:',
    '• End the call or chat with whoever asked you.',
    '• Share no codes and approve no login prompts, whoever asks.',
    "• Don't install or run anything they sent you.",
    'The security team has been alerted as a priority and will contact you here in Teams shortly. Treat anyone else who says they are from security with suspicion until then.',
  ].join('\n'),

  // The answer page (the web channel's link from the email); plain text, escaped by web/answer-page.ts
  'page.askTitle': 'Security check: was this you?',
  'page.askLead': 'Our security monitoring saw the activity below on your account. Was it you?',
  'page.when': 'When',
  'page.source': 'Source',
  'page.severity': 'Severity',
  'page.details': 'Details',
  'page.choices': 'Your answer',
  'page.bindNote': 'Your first answer ties this link to this browser: after that it works in no other.',
  'page.codeTitle': 'Confirm it is you',
  'page.codeLead': 'Enter the current 6-digit code for Vouch from your authenticator app.',
  'page.codeLabel': '6-digit code',
  'page.justificationLabel': 'What were you doing? (optional)',
  'page.verify': 'Verify',
  'page.codeFormat': 'Enter the 6 digits your authenticator app shows for Vouch.',
  'page.codeWrong.one': 'That code was not accepted. {n} attempt left.',
  'page.codeWrong.other': 'That code was not accepted. {n} attempts left.',
  'page.passkeyLead':
    'Use your passkey: your fingerprint, face or the PIN of this device or your security key.',
  'page.passkeyButton': 'Verify with my passkey',
  'page.passkeyNoScript': 'Your passkey needs JavaScript, which is turned off in this browser.',
  'page.passkeyOrCode': 'Or use your authenticator app',
  'page.passkeyMalformed': 'Your passkey check did not finish. Try again.',
  'page.passkeyWrong.one': 'Your passkey was not accepted. {n} attempt left.',
  'page.passkeyWrong.other': 'Your passkey was not accepted. {n} attempts left.',
  'page.noFactorTitle': 'Confirm your answer',
  'page.noFactorLead':
    'You have no second factor set up with Vouch, so the security team may follow up with you.',
  'page.confirm': 'Confirm: that was me',
  'page.deniedTitle': 'Thank you',
  'page.denied': 'Thanks for telling us. The security team has been alerted and will contact you shortly.',
  'page.coerced':
    'Thank you for telling us. End the call or chat with whoever asked you, share no codes and approve no login prompts. The security team has been alerted as a priority and will contact you shortly.',
  'page.verifiedTitle': 'Verified',
  'page.verified':
    'Thanks, you confirmed this and verified it was you. Nothing else to do: you can close this page.',
  'page.notVerifiedTitle': 'Not verified',
  'page.notVerified': 'The code check did not succeed, so this went to the security team.',
  'page.recordedTitle': 'Answer recorded',
  'page.recorded': 'Thanks, your answer is recorded. The result follows by email.',
  'page.missingTitle': 'Link not valid',
  'page.missing': 'This link is not valid. Use the link in the newest email from Vouch.',
  'page.expiredTitle': 'Link expired',
  'page.expired':
    'This link has expired and changes nothing any more. The security team follows up on checks nobody answered.',
  'page.closedTitle': 'Check finished',
  'page.closed': 'This check is finished, and its links no longer work. Nothing else to do here.',
  'page.otherBrowserTitle': 'Answered in another browser',
  'page.otherBrowser':
    'This check was answered in another browser, so its links do not work here. If that was not you, tell your security team now.',
  'page.badFormTitle': 'Page out of date',
  'page.badForm': 'This page was out of date, so nothing was recorded. Open the link from your email again.',
  'page.answeredTitle': 'Already answered',
  'page.laterTitle': 'Try again later',

  // The snooze after a verified "yes"
  'snooze.offer': 'Doing this again soon? You can ask to keep alerts like this one quiet for a while.',
  'snooze.offerWithApproval':
    'Doing this again soon? You can ask to keep alerts like this one quiet for a while (the security team approves it first).',
  'snooze.button': 'Keep similar alerts quiet…',
  'snooze.title': 'Keep alerts quiet',
  'snooze.submit': 'Ask',
  'snooze.howLong': 'For how long?',
  'snooze.why': 'Why? (shown to the security team)',
  'snooze.whyExample': "e.g. I'm migrating the billing accounts all week",
  'snooze.askingTitle': 'Asking…',
  'snooze.asking': ':hourglass: Asking…',
  'snooze.notPossibleTitle': 'Not possible',
  'snooze.notPossible': ':no_entry: This check cannot keep similar alerts quiet any more.',
  'snooze.askedTitle': 'Asked',
  'snooze.asked': ':hourglass: Asked. The security team decides; until then you may still be asked.',
  'snooze.doneTitle': 'Done',
  'snooze.done': ':zzz: Done. Alerts like this one stay quiet for the time you chose.',
  'snooze.notYours': ":no_entry: This isn't your alert.",
  'snooze.onlyAfterVerified':
    ':no_entry: Alerts can only be kept quiet after you confirm one with your second factor, where the policy allows it.',
  'snooze.offerExpired': 'This offer has expired; the next alert like this one will ask you again.',
  'duration.days.one': '{n} day',
  'duration.days.other': '{n} days',
  'duration.weeks.one': '{n} week',
  'duration.weeks.other': '{n} weeks',

  // The manager's DM, when their report did not answer
  'manager.notification': 'Security check: do you know about this activity of {employee}? {title}',
  'manager.intro':
    ':wave: Hi! Our security monitoring saw the activity below on the account of {employee}, who has not answered whether it was them. Do you know about it?',
  'manager.knows': 'I know about this',
  'manager.does_not_know': "I don't",
  'manager.cannot_tell': "I can't tell",
  'manager.footer':
    'Your answer is recorded as your statement; it does not verify anything. "{doesNotKnow}" alerts the security team at once. Please answer by {deadline}.',
  'manager.recorded': ':white_check_mark: Thanks, recorded: "{answer}".',
  'manager.expired': ':hourglass: This question expired; the security team follows up.',
  'manager.gone': "This question doesn't exist any more; nothing to do.",
  'manager.closed': 'This question is already closed; thanks, nothing else to do.',
  'manager.notYours': ":no_entry: This question isn't yours to answer.",
  'manager.thanksAlerted': ':rotating_light: Thanks. The security team has been alerted.',
  'manager.thanks': 'Thanks, your answer is recorded.',

  // The Teams chat's own messages: `status`, `help` and the AI interviewer's questions
  'teams.status.open': 'Open checks ({count})',
  'teams.status.answerOnCards': 'Answer them on their cards in this chat.',
  'teams.status.recent': 'Recent',
  'teams.help.about':
    'Vouch asks you here to confirm security alerts about your account, on a card with Yes and No.',
  'teams.help.status': 'your open checks and recent outcomes',
  'teams.help.help': 'this message',
  'teams.help.enroll': 'set up (or replace) your second factor, through a link that works once',
  'teams.status.enrolled': 'Your second factor is set up.',
  'teams.status.notEnrolled': 'You have no second factor yet: write enroll to set one up.',
  'teams.enroll.unknown':
    'Vouch does not know you by name yet, so it cannot set up a second factor for you here. Ask your security team.',
  'teams.enroll.needsOperator':
    'Setting up a second factor from Teams needs a security operator, and none is configured here. Ask your security team to enroll you in person.',
  'teams.followUp.about': 'A question about "{title}"',
  'teams.followUp.machineWritten': 'Machine-written question (an AI assistant of the security team).',
  'teams.followUp.note':
    'Optional: write your answer as your next message in this chat to help the security team. Never share passwords or codes.',

  // The AI interviewer's questions in the DM thread
  'followUp.note':
    'Optional: reply in this thread to help the security team. Never share passwords or codes.',
  'followUp.noteMachineWritten':
    ':robot_face: Machine-written question (an AI assistant of the security team). Optional: reply in this thread to help the security team. Never share passwords or codes.',
  'followUp.thanks': 'Thanks, your answers went to the security team. Nothing else to do.',

  // `/vouch` in Slack, the App Home tab, and the notice of a new second factor
  'help.text': [
    '*Vouch* asks you to confirm security alerts about your account.',
    '• `/vouch status`: your open checks and recent outcomes',
    '• `/vouch enroll`: set up (or replace) your second factor, through a link that works once',
    '• `/vouch help`: this message',
  ].join('\n'),
  'help.unknown': "I don't know `{command}`.",
  'enroll.needsOperator':
    'Setting up a second factor from Slack needs a security operator, and none is configured here. Ask your security team to enroll you in person (`vouch enroll`).',
  'enroll.link':
    'Open this link in your browser to set up your second factor: {url}\nIt works once, in one browser, for {minutes} minutes. A security operator will contact you on a trusted channel (a call or a video meeting) to check a pairing code shown on that page before the key appears. Never share that page or the key with anyone.',
  'enroll.doneForEmployee':
    ':lock: A new second factor for Vouch was just set up for you. If this was not you, tell your security team now.',
  'status.open': '*Open checks ({count})*\n{lines}\nAnswer them in your DM with Vouch.',
  'status.noneOpen': 'You have no open checks.',
  'status.recent': '*Recent*\n{lines}',
  'home.about':
    'When a security alert is about your account, Vouch asks you here whether it was you, and checks it with a code from your authenticator app.',
  'home.enrolled': ':lock: Your second factor is set up.',
  'home.notEnrolled': ':warning: You have no second factor yet: type `/vouch enroll` to set one up.',
  'home.open': '*Open checks*\n{lines}',
  'home.openNone': '*Open checks*\nNone.',
  'home.recentNone': '*Recent*\nNone yet.',
  'phase.starting': 'starting',
  'phase.awaiting_approval': 'waiting for the security team',
  'phase.awaiting_response': 'waiting for your answer',
  'phase.awaiting_second_factor': 'waiting for your code',
  'phase.queued': 'waiting: you have other open checks',
  'phase.awaiting_leader': 'answered together with a similar check',
  'status.confirmed_verified': 'confirmed verified',
  'status.denied': 'denied',
  'status.no_response': 'no response',
  'status.second_factor_failed': 'second factor failed',
  'status.not_enrolled': 'not enrolled',
  'status.unknown_employee': 'unknown employee',
  'status.suppressed': 'suppressed',
  'status.skipped_by_operator': 'skipped by operator',
  'status.closed_by_operator': 'closed by operator',
  'status.escalated_by_operator': 'escalated by operator',
  'status.disabled_by_policy': 'disabled by policy',
  'status.failed_closed': 'failed closed',
  'status.cancelled': 'cancelled',
  'status.manager_confirmed': 'manager confirmed',
  'status.coercion_reported': 'coercion reported',
} as const;

/** Block Kit ids shared by the messages the worker sends and the listeners of the bot. */
export const ACTION_IDS = {
  confirm: 'vouch_confirm',
  deny: 'vouch_deny',
  /** "Someone asked me to do this", in the DM and in the second-factor modal. */
  coerced: 'vouch_coerced',
  /** A link button in the second-factor modal: it opens the answer page, where a passkey answers. */
  passkeyInstead: 'vouch_passkey_instead',
  /** The manager's three answers when the ladder asks them. */
  managerKnows: 'vouch_manager_knows',
  managerDoesNotKnow: 'vouch_manager_does_not_know',
  managerCannotTell: 'vouch_manager_cannot_tell',
  approve: 'vouch_approve',
  skip: 'vouch_skip',
  escalate: 'vouch_escalate',
  close: 'vouch_close',
  enrollApprove: 'vouch_enroll_approve',
  /** "Keep similar alerts quiet…" in the outcome note of a verified "yes", and its operator's answer. */
  snooze: 'vouch_snooze',
  snoozeApprove: 'vouch_snooze_approve',
  snoozeRefuse: 'vouch_snooze_refuse',
} as const;

export const VIEW_IDS = {
  secondFactor: 'vouch_second_factor',
  enrollPairing: 'vouch_enroll_pairing',
  home: 'vouch_home',
  snooze: 'vouch_snooze_request',
} as const;

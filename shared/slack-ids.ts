/** Block Kit ids shared by the messages the worker sends and the listeners of the bot. */
export const ACTION_IDS = {
  confirm: 'vouch_confirm',
  deny: 'vouch_deny',
  /** "Someone asked me to do this", in the DM and in the second-factor modal. */
  coerced: 'vouch_coerced',
  /** The manager's three answers when the ladder asks them. */
  managerKnows: 'vouch_manager_knows',
  managerDoesNotKnow: 'vouch_manager_does_not_know',
  managerCannotTell: 'vouch_manager_cannot_tell',
  approve: 'vouch_approve',
  skip: 'vouch_skip',
  escalate: 'vouch_escalate',
  close: 'vouch_close',
  enrollApprove: 'vouch_enroll_approve',
} as const;

export const VIEW_IDS = {
  secondFactor: 'vouch_second_factor',
  enrollPairing: 'vouch_enroll_pairing',
  home: 'vouch_home',
} as const;

/** Block Kit ids shared by the messages the worker sends and the listeners of the bot. */
export const ACTION_IDS = {
  confirm: 'vouch_confirm',
  deny: 'vouch_deny',
  /** "Someone asked me to do this", in the DM and in the second-factor modal. */
  coerced: 'vouch_coerced',
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

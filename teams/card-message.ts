/** A Bot Connector message that carries one Adaptive Card. */
export const ADAPTIVE_CARD_TYPE = 'application/vnd.microsoft.card.adaptive';

export function cardActivity(card: unknown) {
  return { type: 'message' as const, attachments: [{ contentType: ADAPTIVE_CARD_TYPE, content: card }] };
}

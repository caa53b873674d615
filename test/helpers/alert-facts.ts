import type { AlertFacts } from '../../web/alert-facts';

/** An alert as the Teams cards show it, for the cards' tests. */
export const ACCESS_KEY_FACTS: AlertFacts = {
  title: 'Access key created',
  description: 'An IAM access key was created.',
  occurredAt: '2026-12-04T09:00:00Z',
  source: 'cloudtrail',
  severity: 'high',
  details: [['sourceIp', '203.0.113.7']],
};

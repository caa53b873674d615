import { upsertSearchAttributes } from '@temporalio/workflow';
import { localStep } from './fail-closed';
import type { Decision, Interview } from './interview-state';

/**
 * The alert recorded, its policy and employee looked up; the interview ends here when the policy
 * turns it off, nobody matches the employee, or a suppression from an earlier "Yes" covers it.
 */
export async function prepare(iv: Interview): Promise<Decision | undefined> {
  const { alert } = iv;
  iv.note('alert_received', 'vouch', {
    title: alert.title,
    severity: alert.severity,
    alertSource: alert.source,
    alertType: alert.type,
  });
  const prepared = await localStep('prepareInterview', () =>
    iv.acts.recording.prepareInterview({ alert, workflowId: iv.workflowId }),
  );
  iv.prepared = prepared;
  const { policy, employee, policySource, suppression } = prepared;
  if (policy.enabled === false) {
    // `=== false`: policies kept by interviews started before the field existed have no `enabled`.
    iv.note('disabled_by_policy', 'vouch', { alertType: alert.type, policySource });
    return { outcome: 'disabled_by_policy' };
  }
  if (!employee) {
    iv.note('unknown_employee', 'vouch', { employee: alert.employee });
    return { outcome: 'unknown_employee' };
  }
  // Someone without a Slack id was found by their email: one of the two is always known.
  upsertSearchAttributes({ VouchEmployee: [(employee.email ?? employee.slackUserId)!] });
  iv.note('policy', 'vouch', {
    policySource,
    employee: {
      ...(employee.slackUserId ? { slackUserId: employee.slackUserId } : {}),
      ...(employee.email ? { email: employee.email } : {}),
      ...(employee.name ? { name: employee.name } : {}),
    },
  });
  if (suppression) {
    iv.note('suppressed', 'vouch', {
      suppressionId: suppression.id,
      createdByAlertId: suppression.createdByAlertId,
    });
    return {
      outcome: 'suppressed',
      extra: { suppressionId: suppression.id, suppressedBy: suppression.createdByAlertId },
    };
  }
  return undefined;
}

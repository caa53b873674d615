import { patched } from '@temporalio/workflow';
import type { Interview } from './interview-state';

/** Interviews from before the third answer never take it; the marker shows where one was taken. */
const COERCION_PATCH = 'coercion-reported';

/**
 * The employee said someone asked them to do this, in the DM or in the modal after "Yes": possibly a
 * social-engineering attack in progress, escalated at once whatever else the interview was waiting for.
 */
export function coercionReported(iv: Interview): boolean {
  return iv.answer?.answer === 'coerced' && patched(COERCION_PATCH);
}

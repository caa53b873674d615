import type { AlertInput } from '../shared/alert';

/**
 * How an alert's `details` are stored: a list of `{ key, value }` pairs in the producer's order, not
 * a map. Detail keys come from producers (`aws.region`, `$where`, a NUL character) and MongoDB field
 * names cannot hold all of them: FerretDB refuses `.` and a leading `$`, MongoDB 7 cannot address such
 * fields in updates and some queries, and neither takes NUL in a field name. As values they are
 * ordinary strings, so every key the schema accepts is stored exactly as written.
 */
export interface StoredDetail {
  key: string;
  value: AlertInput['details'][string];
}

/** An alert as stored: its details as pairs, or (written before the pairs) as a map. */
export type StoredAlertInput = Omit<AlertInput, 'details'> & {
  details: StoredDetail[] | AlertInput['details'];
};

export function toStoredInput(input: AlertInput): StoredAlertInput {
  return { ...input, details: Object.entries(input.details).map(([key, value]) => ({ key, value })) };
}

/** Reads either form back into the producer's map (alerts stored as a map still read as they were). */
export function fromStoredInput(stored: StoredAlertInput): AlertInput {
  if (!Array.isArray(stored.details)) return stored as AlertInput;
  const details: AlertInput['details'] = {};
  // defineProperty, not assignment: a key such as `__proto__` is data here, never the prototype.
  for (const { key, value } of stored.details)
    Object.defineProperty(details, key, { value, enumerable: true, writable: true, configurable: true });
  return { ...stored, details };
}

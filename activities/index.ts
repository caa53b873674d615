import type { Db } from 'mongodb';
import type { Logger } from '../lib/logger';

/** Dependencies of the activities, given by the worker (and by tests). */
export interface ActivityDeps {
  db: Db;
  logger: Logger;
}

/** All activities. Workflows type against `Activities`, never import this module's values. */
export function createActivities(_deps: ActivityDeps) {
  return {
    async noop(label: string): Promise<string> {
      return label;
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;

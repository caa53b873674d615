import { isGrpcServiceError } from '@temporalio/client';

/** The intake's error body: a stable code, a sentence for people, and each bad field when there are some. */
export interface IntakeError {
  error: string;
  message: string;
  problems?: { field: string; problem: string }[];
}

export const intakeError = (error: string, message: string, problems?: IntakeError['problems']) => ({
  error,
  message,
  ...(problems ? { problems } : {}),
});

/** Temporal answered that it cannot take the start now (down, restarting, overloaded): retry later. */
const TRANSIENT = new Set<number>([
  1, // CANCELLED
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
  10, // ABORTED
  14, // UNAVAILABLE
]);

export function temporalUnavailable(err: unknown): boolean {
  if (isGrpcServiceError(err)) return TRANSIENT.has(err.code);
  const e = err as { name?: string; cause?: unknown };
  // The client wraps gRPC errors in ServiceError; a connection that never came up is a plain error.
  if (e?.name === 'ServiceError' && e.cause) return temporalUnavailable(e.cause);
  if (e?.name === 'TransportError' || e?.name === 'ConnectionError') return true;
  return false;
}

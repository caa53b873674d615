import {
  InterceptingCall,
  Metadata,
  status,
  type Interceptor,
  type InterceptingListener,
} from '@grpc/grpc-js';
import {
  Connection,
  defaultGrpcRetryOptions,
  makeGrpcRetryInterceptor,
  type ConnectionOptions,
} from '@temporalio/client';

/**
 * A Temporal connection that can be closed while a call is waiting to be retried.
 *
 * The SDK's retry interceptor schedules each retry on a timer and opens a new call when it fires;
 * on a closed channel that throws from the timer and takes the process down. Here a retry after
 * `close()` ends as CANCELLED instead, so a bot or intake that stops during a Temporal outage
 * stops cleanly.
 */
export class ClosableConnection {
  private closed = false;
  readonly connection: Connection;

  private constructor(build: (interceptors: Interceptor[]) => Connection) {
    this.connection = build([makeGrpcRetryInterceptor(defaultGrpcRetryOptions()), this.closedGuard]);
  }

  /** Connects on first use: an outage at start does not stop the process. */
  static lazy(options: Omit<ConnectionOptions, 'interceptors'>): ClosableConnection {
    return new ClosableConnection((interceptors) => Connection.lazy({ ...options, interceptors }));
  }

  static async connect(options: Omit<ConnectionOptions, 'interceptors'>): Promise<ClosableConnection> {
    const c = ClosableConnection.lazy(options);
    try {
      await c.connection.ensureConnected();
    } catch (err) {
      await c.close();
      throw err;
    }
    return c;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.connection.close();
  }

  /** Innermost interceptor: once closed, every new attempt fails at once without touching the channel. */
  private readonly closedGuard: Interceptor = (options, nextCall) =>
    new InterceptingCall(this.closed ? new CancelledCall() : nextCall(options));
}

type InterceptingCallInterface = ConstructorParameters<typeof InterceptingCall>[0];

/** A call that never reaches the network and ends CANCELLED. */
class CancelledCall implements InterceptingCallInterface {
  cancelWithStatus(): void {}
  getPeer(): string {
    return '';
  }
  start(_metadata: Metadata, listener?: Partial<InterceptingListener>): void {
    setImmediate(() =>
      listener?.onReceiveStatus?.({
        code: status.CANCELLED,
        details: 'the Temporal connection was closed',
        metadata: new Metadata(),
      }),
    );
  }
  sendMessageWithContext(_context: unknown, _message: unknown): void {}
  sendMessage(_message: unknown): void {}
  startRead(): void {}
  halfClose(): void {}
  getAuthContext(): null {
    return null;
  }
}

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local stand-in for Slack's Socket Mode WebSocket: the client gets its URL from apps.connections.open
 * (the Web API stand-in), receives a `hello`, then envelopes ({ envelope_id, type, payload,
 * accepts_response_payload }) that it must acknowledge with { envelope_id, payload? } — as Slack does.
 */
export class SocketModeStandIn {
  private server?: WebSocketServer;
  private socket?: WebSocket;
  private readonly acks = new Map<string, (ack: { envelope_id: string; payload?: unknown }) => void>();
  connections = 0;

  async start(): Promise<this> {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => this.server!.once('listening', resolve));
    this.server.on('connection', (socket) => {
      this.connections += 1;
      this.socket = socket;
      socket.on('message', (data) => {
        const ack = JSON.parse(String(data)) as { envelope_id: string; payload?: unknown };
        this.acks.get(ack.envelope_id)?.(ack);
      });
      socket.send(
        JSON.stringify({
          type: 'hello',
          num_connections: 1,
          debug_info: { host: 'stand-in', approximate_connection_time: 3600 },
          connection_info: { app_id: 'A0001' },
        }),
      );
    });
    return this;
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `ws://127.0.0.1:${port}/link/?ticket=stand-in`;
  }

  async connected(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.socket || this.socket.readyState !== this.socket.OPEN) {
      if (Date.now() > deadline) throw new Error('the Socket Mode client never connected');
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Sends an envelope and resolves with the client's acknowledgement. */
  send(
    type: 'interactive' | 'slash_commands' | 'events_api',
    payload: unknown,
    timeoutMs = 5000,
  ): Promise<{ envelope_id: string; payload?: unknown }> {
    const envelopeId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ack for the ${type} envelope`)), timeoutMs);
      this.acks.set(envelopeId, (ack) => {
        clearTimeout(timer);
        resolve(ack);
      });
      this.socket!.send(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== 'events_api',
        }),
      );
    });
  }

  /** Waits for clients to finish their close handshake (so they leave no timer behind), then closes. */
  async stop(): Promise<void> {
    await Promise.all(
      [...(this.server?.clients ?? [])].map(
        (client) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              client.terminate();
              resolve();
            }, 2000);
            client.once('close', () => {
              clearTimeout(timer);
              resolve();
            });
            if (client.readyState === client.CLOSED) client.emit('close');
          }),
      ),
    );
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

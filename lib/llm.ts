import type { z } from 'zod';
import type { LlmConfig } from './config';

/**
 * A client for any OpenAI-compatible chat-completions endpoint (`POST <VOUCH_LLM_URL>/chat/completions`),
 * with Node's own fetch. Every call asks for a reply constrained to a JSON schema (`response_format`)
 * and validates it with zod: a reply that is not that JSON is an error, never half-used. The API key
 * goes only into the Authorization header; no error message or result carries it.
 */
export type LlmFailureKind = 'timeout' | 'network' | 'http' | 'rejected' | 'malformed';

export class LlmError extends Error {
  override readonly name = 'LlmError';
  constructor(
    readonly kind: LlmFailureKind,
    message: string,
    /** Whether the same call may succeed when retried (timeouts, 5xx, 429, malformed output). */
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface JsonReply<T> {
  value: T;
  model: string;
  latencyMs: number;
}

export function chatCompletionsUrl(baseUrl: string): string {
  return /\/chat\/completions$/.test(baseUrl) ? baseUrl : `${baseUrl.replace(/\/+$/, '')}/chat/completions`;
}

export async function chatJson<T>(
  llm: LlmConfig,
  request: {
    messages: ChatMessage[];
    /** Name and JSON schema sent as response_format; the zod schema checks the same shape. */
    schemaName: string;
    jsonSchema: Record<string, unknown>;
    schema: z.ZodType<T>;
    maxTokens?: number;
  },
): Promise<JsonReply<T>> {
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(chatCompletionsUrl(llm.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(llm.apiKey ? { authorization: `Bearer ${llm.apiKey}` } : {}),
      },
      body: JSON.stringify({
        model: llm.model,
        messages: request.messages,
        temperature: 0.2,
        max_tokens: request.maxTokens ?? 600,
        response_format: {
          type: 'json_schema',
          json_schema: { name: request.schemaName, strict: true, schema: request.jsonSchema },
        },
      }),
      signal: AbortSignal.timeout(llm.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new LlmError('timeout', `no answer within ${llm.timeoutMs} ms`, true);
    throw new LlmError('network', `could not reach the model: ${causeOf(e)}`, true);
  }
  let body: string;
  try {
    body = await res.text();
  } catch (err) {
    const e = err as Error;
    if (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new LlmError('timeout', `no complete answer within ${llm.timeoutMs} ms`, true);
    throw new LlmError('network', `the answer was cut off: ${causeOf(e)}`, true);
  }
  if (!res.ok) {
    // 408/409/429 and 5xx may pass on a retry; other 4xx (bad key, unknown model) will not.
    const retryable = res.status >= 500 || [408, 409, 429].includes(res.status);
    throw new LlmError('http', `HTTP ${res.status}${errorDetail(body, llm.apiKey)}`, retryable);
  }
  const envelope = parseJson(body) as {
    model?: string;
    choices?: { message?: { content?: string | null; refusal?: string | null } }[];
  } | null;
  const message = envelope?.choices?.[0]?.message;
  if (!message) throw new LlmError('malformed', 'the reply is not a chat completion', true);
  if (message.refusal) throw new LlmError('rejected', 'the model refused', true);
  const content = parseJson(message.content ?? '');
  const parsed = request.schema.safeParse(content);
  if (!parsed.success)
    throw new LlmError(
      'malformed',
      content === undefined
        ? 'the model did not answer with JSON'
        : `the model's JSON does not match the schema (${parsed.error.issues
            .slice(0, 3)
            .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
            .join('; ')})`,
      true,
    );
  return { value: parsed.data, model: envelope?.model ?? llm.model, latencyMs: Date.now() - started };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A short, safe excerpt of an error body (providers put a message there; never echo headers). */
function errorDetail(body: string, apiKey: string | undefined): string {
  const parsed = parseJson(body) as { error?: { message?: unknown } | string } | undefined;
  const message = typeof parsed?.error === 'string' ? parsed.error : parsed?.error?.message;
  if (typeof message !== 'string') return '';
  // Some providers quote the key they were given: it never leaves this function.
  const scrubbed = apiKey ? message.split(apiKey).join('[redacted]') : message;
  return `: ${scrubbed.slice(0, 200)}`;
}

function causeOf(e: Error): string {
  const cause = (e as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? e.message;
}

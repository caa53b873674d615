import { z } from 'zod';
import { loadConfig } from '../../lib/config';
import { LlmError, chatJson } from '../../lib/llm';
import { LlmStandIn } from '../helpers/llm-stand-in';

/** The provider client against a stand-in that speaks the chat-completions HTTP protocol. */
describe('OpenAI-compatible client', () => {
  let llm: LlmStandIn;
  beforeAll(async () => {
    llm = await new LlmStandIn().start();
  });
  afterAll(async () => llm?.stop());

  const schema = z.object({ questions: z.array(z.string()) });
  const jsonSchema = {
    type: 'object',
    properties: { questions: { type: 'array', items: { type: 'string' } } },
    required: ['questions'],
    additionalProperties: false,
  };
  const config = (over: Partial<{ apiKey: string; timeoutMs: number }> = {}) => ({
    url: llm.url,
    model: 'test-model',
    apiKey: llm.apiKey,
    timeoutMs: 2000,
    ...over,
  });
  const ask = (over?: Parameters<typeof config>[0]) =>
    chatJson(config(over), {
      messages: [
        { role: 'system', content: 'rules' },
        { role: 'user', content: 'data' },
      ],
      schemaName: 'follow_up_plan',
      jsonSchema,
      schema,
    });
  const failure = async (p: Promise<unknown>) => {
    try {
      await p;
    } catch (err) {
      return err as LlmError;
    }
    throw new Error('expected a failure');
  };

  it('reads the provider from the environment, and needs a model with a URL', () => {
    expect(loadConfig({}).llm).toBeUndefined();
    expect(
      loadConfig({
        VOUCH_LLM_URL: 'https://llm.example.com/v1/',
        VOUCH_LLM_MODEL: 'm',
        VOUCH_LLM_API_KEY: 'sk-secret-value',
        VOUCH_LLM_TIMEOUT: '2.5',
      }).llm,
    ).toEqual({ url: 'https://llm.example.com/v1', model: 'm', apiKey: 'sk-secret-value', timeoutMs: 2500 });
    expect(() => loadConfig({ VOUCH_LLM_URL: 'https://llm.example.com/v1' })).toThrow(
      /VOUCH_LLM_MODEL: expected a model name/,
    );
    let message = '';
    try {
      loadConfig({ VOUCH_LLM_URL: 'not a url', VOUCH_LLM_MODEL: 'm', VOUCH_LLM_API_KEY: 'sk-secret-value' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/VOUCH_LLM_URL: expected the base URL/);
    expect(message).not.toContain('sk-secret-value');
  });

  it('sends the model, the messages and a JSON-schema response_format with the key; validates the reply', async () => {
    llm.queue('follow_up_plan', { json: { questions: ['Why did you add the admin?'] } });
    const reply = await ask();
    expect(reply.value).toEqual({ questions: ['Why did you add the admin?'] });
    expect(reply.model).toBe('test-model-2026-01-01');
    expect(reply.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = llm.requests.at(-1)!;
    expect(sent.authorization).toBe(`Bearer ${llm.apiKey}`);
    expect(sent.body).toMatchObject({
      model: 'test-model',
      messages: [
        { role: 'system', content: 'rules' },
        { role: 'user', content: 'data' },
      ],
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'follow_up_plan', strict: true, schema: jsonSchema },
      },
    });
  });

  it('a wrong key is a non-retryable HTTP error that never quotes the key', async () => {
    const e = await failure(ask({ apiKey: 'sk-wrong-key-123' }));
    expect(e).toMatchObject({ kind: 'http', retryable: false });
    expect(e.message).toMatch(/HTTP 401/);
    expect(e.message).not.toContain('sk-wrong-key-123');
  });

  it('malformed JSON, JSON of the wrong shape, a 500 and a slow answer are retryable failures', async () => {
    llm.queue('follow_up_plan', { content: '{"questions": ["unterminated' });
    expect(await failure(ask())).toMatchObject({ kind: 'malformed', retryable: true });
    llm.queue('follow_up_plan', { json: { questions: 'not a list' } });
    expect(await failure(ask())).toMatchObject({
      kind: 'malformed',
      message: expect.stringMatching(/schema/),
    });
    llm.queue('follow_up_plan', { status: 500 });
    expect(await failure(ask())).toMatchObject({
      kind: 'http',
      retryable: true,
      message: expect.stringMatching(/500/),
    });
    llm.queue('follow_up_plan', { delayMs: 1500, then: { json: { questions: [] } } });
    const started = Date.now();
    expect(await failure(ask({ timeoutMs: 300 }))).toMatchObject({ kind: 'timeout', retryable: true });
    expect(Date.now() - started).toBeLessThan(1200);
  });
});

import { Writable } from 'node:stream';
import { createLogger } from '../../lib/logger';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}

describe('logger', () => {
  it('redacts tokens, secrets and codes at any depth it is given', () => {
    const { lines, stream } = capture();
    const logger = createLogger('t', 'info', stream);
    logger.info(
      {
        token: 'xoxb-secret-token',
        submission: { code: '123456', slackUserId: 'U1' },
        slack: { auth: { signingSecret: 'sig-secret' } },
        employee: { enrollment: { secret: 'JBSWY3DPEHPK3PXP' } },
        config: { llm: { url: 'https://llm.example.com/v1', apiKey: 'sk-llm-secret' } },
        VOUCH_LLM_API_KEY: 'sk-llm-secret-env',
      },
      'hello',
    );
    const out = lines.join('');
    for (const leaked of ['xoxb-secret-token', '123456', 'sig-secret', 'JBSWY3DPEHPK3PXP', 'sk-llm-secret'])
      expect(out).not.toContain(leaked);
    expect(out).toContain('U1');
    expect(out).toContain('[redacted]');
  });
});

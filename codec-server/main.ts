import { ConfigError, loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { runMain } from '../lib/main';
import { EncryptionCodec, payloadKeys } from '../lib/payload-codec';
import { createCodecServer } from './server';

/** The codec server process: decrypts Vouch's Temporal payloads for operators, until SIGINT/SIGTERM. */
runMain(async () => {
  const config = loadConfig();
  const keys = payloadKeys(config);
  const missing = [
    ...(keys ? [] : ['VOUCH_ENCRYPTION_KEY (the key the worker runs with)']),
    ...(config.codec.token ? [] : ['VOUCH_CODEC_TOKEN (the operator credential: openssl rand -hex 32)']),
  ];
  if (!keys || !config.codec.token)
    throw new ConfigError(
      `the codec server cannot start. Missing:\n${missing.map((m) => `  - ${m}`).join('\n')}`,
    );
  const logger = createLogger('codec', config.logLevel);
  const codec = new EncryptionCodec(keys);
  const app = createCodecServer({
    codec,
    token: config.codec.token,
    namespace: config.temporal.namespace,
    allowedOrigins: [new URL(config.temporal.uiUrl).origin],
    logger,
  });
  await app.listen({ port: config.codec.port, host: '0.0.0.0' });
  logger.info(
    { port: config.codec.port, uiOrigin: new URL(config.temporal.uiUrl).origin, keys: codec.keyIds },
    'codec server listening on POST /decode and /encode',
  );
  const stop = () => {
    app.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
});

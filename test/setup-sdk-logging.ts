import { installSdkLogging } from '../worker/runtime-logging';
import { createLogger } from '../lib/logger';

installSdkLogging(
  createLogger('temporal-sdk', process.env.VOUCH_TEST_SDK_LOG ?? 'error'),
  (process.env.VOUCH_TEST_SDK_LOG ?? 'error').toUpperCase() as 'ERROR',
  { forwardCoreLogs: false },
);

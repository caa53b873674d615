import { installSdkLogging } from '../worker/runtime-logging';
import { createLogger } from '../lib/logger';

installSdkLogging(createLogger('temporal-sdk', 'error'), 'ERROR');

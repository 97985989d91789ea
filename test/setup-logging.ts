import { configureLogging, type LogLevel } from '../src/core/logging.js';

// In-process unit tests log nothing unless asked: KUMA_TEST_LOG_LEVEL=debug npx vitest run ...
configureLogging((process.env['KUMA_TEST_LOG_LEVEL'] as LogLevel | undefined) ?? 'off');

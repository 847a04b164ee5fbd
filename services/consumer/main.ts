import { loadConfigOrExit } from '../../shared/config.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { exitOnStartupFailure } from '../../shared/startup-error.ts';
import { createConsumer } from './start.ts';

const config = loadConfigOrExit(process.env);
const consumer = createConsumer(config);
// Signals are heard from the first moment: one during start-up closes what was opened so far.
closeOnSignals(
  () => consumer.close(),
  (message) => consumer.app.log.info(message),
);
await consumer.start().catch(exitOnStartupFailure);

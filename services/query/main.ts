import { loadConfigOrExit } from '../../shared/config.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { exitOnStartupFailure } from '../../shared/startup-error.ts';
import { createQuery } from './start.ts';

const config = loadConfigOrExit(process.env);
const query = createQuery(config);
// Signals are heard from the first moment: one during start-up closes what was opened so far.
closeOnSignals(
  () => query.close(),
  (message) => query.app.log.info(message),
);
await query.start().catch(exitOnStartupFailure);

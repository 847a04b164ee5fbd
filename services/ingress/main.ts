import { loadConfigOrExit } from '../../shared/config.ts';
import { closeOnSignals } from '../../shared/shutdown.ts';
import { exitOnStartupFailure } from '../../shared/startup-error.ts';
import { createIngress } from './start.ts';

const config = loadConfigOrExit(process.env);
const ingress = createIngress(config);
// Signals are heard from the first moment: one during start-up closes what was opened so far.
closeOnSignals(
  () => ingress.close(),
  (message) => ingress.app.log.info(message),
);
await ingress.start().catch(exitOnStartupFailure);

import { loadConfigOrExit } from '../../shared/config.ts';
import { runService } from '../../shared/service.ts';
import { createIngress } from './start.ts';

await runService(createIngress(loadConfigOrExit(process.env)));

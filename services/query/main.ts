import { loadConfigOrExit } from '../../shared/config.ts';
import { runService } from '../../shared/service.ts';
import { createQuery } from './start.ts';

await runService(createQuery(loadConfigOrExit(process.env)));

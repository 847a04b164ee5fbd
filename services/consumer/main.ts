import { loadConfigOrExit } from '../../shared/config.ts';
import { runService } from '../../shared/service.ts';
import { createConsumer } from './start.ts';

await runService(createConsumer(loadConfigOrExit(process.env)));

import { loadConfigOrExit } from '../shared/config.ts';
import { GROUPS } from './cli/groups.ts';
import { runCli } from './cli/run.ts';

/** npm run cli -- <group> <command> [options]: `npm run cli -- --help` lists the groups. */
process.exitCode = await runCli(process.argv.slice(2), GROUPS, { loadConfig: () => loadConfigOrExit(process.env) });

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfigOrExit } from '../shared/config.ts';
import { createKafka, kafkaTarget } from '../shared/kafka/client.ts';
import { createTenantRepository } from '../shared/tenants/repository.ts';
import { REPO_ROOT } from '../scripts/local-kafka.ts';
import { createPayloadSet } from './generator/payloads.ts';
import type { TestDatabase } from '../kit/test-database.ts';
import { createBenchDatabase } from './lab/database.ts';
import { startBenchKafka, type BenchKafka } from './lab/kafka.ts';
import { createLab } from './lab/lab.ts';
import { describeMachine, loadAverage, SHARED_MACHINE_NOTE } from './lab/machine.ts';
import { parseOptions, USAGE } from './options.ts';
import { renderTable } from './report.ts';
import { writeResults } from './results.ts';
import { runStages } from './stages/run-stages.ts';
import { summariseProfiles } from './profile/summary.ts';

/**
 * npm run bench [-- --quick]: every stage against its baseline, one after the other, on a broker and a
 * database of its own; a table on stdout and bench/results/latest.json.
 */
const say = (line: string) => process.stderr.write(`${line}\n`);

function parseOptionsOrExit(argv: string[]) {
  try {
    return parseOptions(argv);
  } catch (error) {
    say(`${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}

const options = parseOptionsOrExit(process.argv.slice(2));
// The services run by the bench log at warn unless LOG_LEVEL says otherwise (the bench passes its config on).
const config = loadConfigOrExit({ LOG_LEVEL: 'warn', ...process.env });
const startedAt = new Date();
const resultsDir = join(REPO_ROOT, 'bench', 'results');
const runDir = join(resultsDir, `run-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
const logDir = join(runDir, 'logs');
const profileDir = options.profile ? join(runDir, 'profiles') : undefined;
mkdirSync(logDir, { recursive: true });
if (profileDir) mkdirSync(profileDir, { recursive: true });

let kafka: BenchKafka | undefined;
let db: TestDatabase | undefined;
let cleaning: Promise<void> | undefined;
const cleanUp = () =>
  (cleaning ??= (async () => {
    if (db && !options.keepDatabase) await db.drop().catch((error: Error) => say(`could not drop ${db!.name}: ${error.message}`));
    else if (db) say(`kept database ${db.name}`);
    await kafka?.stop();
  })());
process.once('SIGINT', () => void cleanUp().then(() => process.exit(130)));
process.once('SIGTERM', () => void cleanUp().then(() => process.exit(143)));

try {
  say(`bench (${options.quick ? 'quick' : 'full'}): logs in ${logDir}`);
  // As scripts/start.ts: a broker named by KAFKA_BROKERS is used as it is, otherwise the bench starts one.
  kafka = await startBenchKafka(config.KAFKA_BROKERS, logDir);
  db = await createBenchDatabase(config.DATABASE_URL);
  const tenant = await createTenantRepository(db.pool).create({ name: 'bench', timezone: 'Asia/Tokyo' });
  const lab = createLab({
    options,
    config,
    logDir,
    profileDir,
    brokers: kafka.brokers,
    kafkaPid: kafka.pid,
    // The cluster named by KAFKA_BROKERS is reached as the services reach it (TLS, SASL); the bench's own broker is plaintext.
    kafka: createKafka({
      clientId: 'callstream-bench',
      brokers: kafka.brokers,
      connection: config.KAFKA_BROKERS ? kafkaTarget(config).connection : {},
    }),
    db,
    tenant,
    payloads: createPayloadSet(options.seed, options.templates),
  });
  const loadAtStart = loadAverage();
  const machine = await describeMachine(db.pool);
  const { results: stages, failures } = await runStages(lab, runDir, say);
  const finishedAt = new Date();
  const { latest, results } = writeResults(resultsDir, {
    ...stages,
    machine: {
      failures,
      mode: options.quick ? 'quick' : 'full',
      started_at: startedAt.toISOString(),
      duration_s: Math.round((finishedAt.getTime() - startedAt.getTime()) / 1000),
      ...machine,
      load_average_at_start: loadAtStart,
      load_average_at_end: loadAverage(),
      note: SHARED_MACHINE_NOTE,
    },
  });
  process.stdout.write(`${renderTable(results)}\n`);
  say(`results: ${latest}`);
  if (profileDir) say(`profiles: ${summariseProfiles(profileDir)}`);
  if (Object.keys(failures).length > 0) process.exitCode = 1;
} catch (error) {
  say(`bench failed: ${(error as Error).stack ?? String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}

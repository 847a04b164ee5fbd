import { kafkaBrokers, loadConfigOrExit } from '../shared/config.ts';
import { exitOnStartupFailure, needKafka, needPostgres } from '../shared/startup-error.ts';
import { prepareDatabase, prepareTopics } from './prepare.ts';

/**
 * npm run setup: the database and its migrations, and the topics. Idempotent; docker compose runs it
 * once before the services start.
 */
const config = loadConfigOrExit(process.env);
try {
  const applied = await needPostgres(config.DATABASE_URL, () => prepareDatabase(config));
  process.stdout.write(applied.length ? `applied migrations ${applied.join(', ')}\n` : 'database is up to date\n');
  const brokers = kafkaBrokers(config);
  const topics = await needKafka(brokers, () => prepareTopics(config, brokers));
  process.stdout.write(`topics ready: ${topics.join(', ')}\n`);
} catch (error) {
  await exitOnStartupFailure(error);
}

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/**
 * The pinned Apache Kafka releases: Maven resolves their jars from Maven Central once (kafka/pom.xml, the
 * current 4.x release; kafka/3.9/pom.xml, the 3.9 line kept as a client-side target), and the brokers and
 * tools run from them.
 */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export type KafkaRelease = 'current' | '3.9';

/** Where each release's pom is, how its JVMs find their logging configuration, and its tools' class names. */
const RELEASES: Record<KafkaRelease, { pom: string; logging: string; configCommand: string }> = {
  current: {
    pom: join(REPO_ROOT, 'kafka', 'pom.xml'),
    logging: `-Dlog4j2.configurationFile=${join(REPO_ROOT, 'kafka', 'log4j2.properties')}`,
    configCommand: 'org.apache.kafka.tools.ConfigCommand',
  },
  '3.9': {
    pom: join(REPO_ROOT, 'kafka', '3.9', 'pom.xml'),
    logging: `-Dlog4j.configuration=file:${join(REPO_ROOT, 'kafka', '3.9', 'log4j.properties')}`,
    configCommand: 'kafka.admin.ConfigCommand',
  },
};

export function kafkaVersion(release: KafkaRelease = 'current'): string {
  return /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(RELEASES[release].pom, 'utf8'))![1]!;
}

/** The JVM option that points a release's broker or tool at its logging configuration. */
export const kafkaLoggingOption = (release: KafkaRelease = 'current'): string => RELEASES[release].logging;

/** The class of kafka-configs (it moved from core to the tools jar in Kafka 4). */
export const configCommandClass = (release: KafkaRelease): string => RELEASES[release].configCommand;

/**
 * The directory of a release's jars, .local/kafka/<version>/lib, copied there by Maven on first use. Two
 * test runs may resolve at once: each copies into a directory of its own and renames it into place, so
 * neither ever runs from a half-copied one.
 */
export function resolveKafkaJars(release: KafkaRelease = 'current'): string {
  const version = kafkaVersion(release);
  const lib = join(REPO_ROOT, '.local', 'kafka', version, 'lib');
  if (existsSync(lib)) return lib;
  const staging = `${lib}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  process.stderr.write(`resolving Kafka ${version} from Maven Central (first run only)…\n`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-Dstyle.color=never',
      '-f',
      RELEASES[release].pom,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${staging}`,
      '-DincludeScope=runtime',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`mvn could not resolve Kafka ${version} (exit ${result.status}): ${result.stdout}${result.stderr}`);
  }
  try {
    renameSync(staging, lib);
  } catch (error) {
    // Another run got there first: its copy is as good as ours.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(lib)) throw error;
  }
  return lib;
}

/** The arguments of a JVM that runs a class of the release from its jars. */
export function javaArguments(release: KafkaRelease, lib: string, args: string[], heapMb: number): string[] {
  return [`-Xms${heapMb}m`, `-Xmx${heapMb}m`, RELEASES[release].logging, '-cp', `${lib}/*`, ...args];
}

const execFileAsync = promisify(execFile);

/**
 * Runs one of the release's tools to its end. Asynchronous, so that a service running in the same
 * process (as in the integration tests) keeps serving meanwhile. `what` names it in the error, whose
 * text is the tool's output, never its arguments (they may hold a password).
 */
export async function runKafkaTool(release: KafkaRelease, lib: string, what: string, args: string[]): Promise<void> {
  try {
    await execFileAsync('java', javaArguments(release, lib, args, 256), { encoding: 'utf8' });
  } catch (error) {
    const { stdout, stderr, code } = error as { stdout?: string; stderr?: string; code?: unknown };
    // Neither error.message nor the error as cause: both carry the command line.
    // eslint-disable-next-line preserve-caught-error
    throw new Error(`${what} failed (exit ${String(code)}): ${stderr || stdout || 'no output'}`);
  }
}

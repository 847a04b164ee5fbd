import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { configCommandClass, resolveKafkaJars, runKafkaTool, type KafkaRelease } from './jars.ts';

/**
 * A broker's SASL_SSL listener for tests: a throw-away CA and a broker certificate made with the JDK's
 * keytool, SCRAM credentials written into the metadata log at storage format.
 */
export type ScramMechanism = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ScramUser {
  username: string;
  password: string;
}

export interface LocalKafkaSecurity {
  scram: { mechanism: ScramMechanism; users: ScramUser[] };
}

/** The TLS files of a secure broker, in its data directory. */
export interface BrokerTls {
  /** The CA that signed the broker certificate, as PEM: what a client sets as KAFKA_SSL_CA_FILE. */
  caFile: string;
  keystore: string;
  /** The stores protect nothing worth a secret: they are made for one test run, in its temporary directory. */
  storePassword: string;
}

const STORE_PASSWORD = 'callstream-local';

/**
 * Kafka reads credentials as `[name=…,password=…]`: a comma, bracket, equals sign, quote or space in a
 * value would be read as syntax, so such values are refused here instead of becoming another credential.
 */
const PLAIN_VALUE = /^[^\s,[\]="]+$/;

function checked(user: ScramUser): ScramUser {
  if (!PLAIN_VALUE.test(user.username))
    throw new Error(`SCRAM user name ${JSON.stringify(user.username)} has a character Kafka's tools read as syntax`);
  // The password itself is never part of a message.
  if (!PLAIN_VALUE.test(user.password))
    throw new Error(`the SCRAM password of ${user.username} has a character Kafka's tools read as syntax`);
  return user;
}

/** StorageTool's --add-scram arguments: the users exist from the broker's first start. */
export function formatScramArguments(security: LocalKafkaSecurity | undefined): string[] {
  if (!security) return [];
  const { mechanism, users } = security.scram;
  return users.map(checked).flatMap(({ username, password }) => ['--add-scram', `${mechanism}=[name=${username},password=${password}]`]);
}

/** kafka-configs' arguments that set (or add) a user's SCRAM password on a running cluster. */
export function alterScramArguments(bootstrap: string, mechanism: ScramMechanism, user: ScramUser): string[] {
  const { username, password } = checked(user);
  return [
    '--bootstrap-server',
    bootstrap,
    '--alter',
    '--entity-type',
    'users',
    '--entity-name',
    username,
    '--add-config',
    `${mechanism}=[password=${password}]`,
  ];
}

const keytool = promisify(execFile);

/**
 * The CA and the broker's keystore (its key and the certificate the CA signed for IP:127.0.0.1 and
 * DNS:localhost, the names a local client dials), made once per directory and kept for restarts on the
 * same data. Made in a staging directory and renamed into place, so a run stopped half-way leaves none.
 */
export async function ensureBrokerTls(dir: string): Promise<BrokerTls> {
  const tls: BrokerTls = { caFile: join(dir, 'ca.pem'), keystore: join(dir, 'broker.p12'), storePassword: STORE_PASSWORD };
  if (existsSync(dir)) return tls;
  const staging = `${dir}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const store = (name: string) => ['-keystore', join(staging, name), '-storetype', 'PKCS12', '-storepass', STORE_PASSWORD];
  const ec = ['-keyalg', 'EC', '-groupname', 'secp256r1', '-validity', '365'];
  const steps = [
    ['-genkeypair', '-alias', 'ca', ...ec, '-dname', 'CN=callstream local test CA', '-ext', 'bc:c', ...store('ca.p12')],
    // Node's tls takes the CA as PEM, which -rfc writes: no openssl needed.
    ['-exportcert', '-rfc', '-alias', 'ca', '-file', join(staging, 'ca.pem'), ...store('ca.p12')],
    ['-genkeypair', '-alias', 'broker', ...ec, '-dname', 'CN=localhost', ...store('broker.p12')],
    ['-certreq', '-alias', 'broker', '-file', join(staging, 'broker.csr'), ...store('broker.p12')],
    [
      '-gencert',
      '-alias',
      'ca',
      '-rfc',
      '-validity',
      '365',
      '-infile',
      join(staging, 'broker.csr'),
      '-outfile',
      join(staging, 'broker.pem'),
      '-ext',
      'SAN=ip:127.0.0.1,dns:localhost',
      '-ext',
      'EKU=serverAuth',
      ...store('ca.p12'),
    ],
    // The CA first, so that keytool can chain the signed certificate to it: the broker then sends both.
    ['-importcert', '-noprompt', '-alias', 'ca', '-file', join(staging, 'ca.pem'), ...store('broker.p12')],
    ['-importcert', '-alias', 'broker', '-file', join(staging, 'broker.pem'), ...store('broker.p12')],
  ];
  try {
    for (const args of steps) await keytool('keytool', args, { encoding: 'utf8' });
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    throw new Error(`keytool could not make the test CA and broker certificate: ${stderr || stdout || (error as Error).message}`, {
      cause: error,
    });
  }
  return tls;
}

/** What setScramPassword needs of a running broker or cluster. */
export interface ScramAdministered {
  release: KafkaRelease;
  /** Where the tools connect without credentials (a secure broker's internal PLAINTEXT listener). */
  toolsBootstrap: string;
  scramMechanism?: ScramMechanism;
}

/**
 * Sets a SCRAM user's password on the running broker (adding the user if it is new), as an operator
 * fixing a credential would. Connections already authenticated stay; new ones need the new password.
 */
export async function setScramPassword(kafka: ScramAdministered, user: ScramUser): Promise<void> {
  if (!kafka.scramMechanism) throw new Error('this broker has no SCRAM listener (start it with the security option)');
  const args = [configCommandClass(kafka.release), ...alterScramArguments(kafka.toolsBootstrap, kafka.scramMechanism, user)];
  await runKafkaTool(kafka.release, resolveKafkaJars(kafka.release), `setting the SCRAM password of ${user.username}`, args);
}

import { describe, expect, it } from 'vitest';
import { ConfigError, configEnvironment, kafkaBrokers, loadConfig, wantsLocalKafka } from '../../shared/config.ts';
import { npmStartPorts } from '../../shared/npm-start-ports.ts';

describe('loadConfig', () => {
  it('gives every setting its documented default', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/callstream');
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(kafkaBrokers(config)).toEqual(['127.0.0.1:9092']);
    expect(config.TOPIC_CALL_RECORDS).toBe('call-records.v1');
    expect(config.TOPIC_REJECTED).toBe('call-records.rejected.v1');
    expect(config.TOPIC_DLQ).toBe('call-records.dlq.v1');
    expect(config.CONSUMER_GROUP).toBe('callstream-postgres');
    expect(config.INGRESS_PORT).toBe(8080);
    expect(config.QUERY_PORT).toBe(8081);
    expect(config.BODY_LIMIT_BYTES).toBe(1024 * 1024);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('splits the broker list', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'a:1, b:2' }).KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
  });

  it.each([
    ['INGRESS_PORT', 'eighty', /^invalid environment variable INGRESS_PORT="eighty": /],
    ['QUERY_PORT', '70000', /^invalid environment variable QUERY_PORT="70000": /],
    ['DATABASE_URL', 'mysql://x/y', /^invalid environment variable DATABASE_URL="mysql:\/\/x\/y": /],
    ['LOG_LEVEL', 'loud', /^invalid environment variable LOG_LEVEL="loud": /],
  ])('stops on a bad %s with one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('names a bad URL without its password', () => {
    expect(() => loadConfig({ DATABASE_URL: 'mysql://app:s3cret-pw@db.internal:3306/calls' })).toThrow(
      /^invalid environment variable DATABASE_URL="mysql:\/\/app:\*\*\*@db\.internal:3306\/calls": /,
    );
  });
});

describe('loadConfig: numbers are plain decimal integers', () => {
  it.each([
    ['INGRESS_PORT', '0x1F90', 'must be a decimal integer from 0 to 65535'],
    ['INGRESS_PORT', '1e3', 'must be a decimal integer from 0 to 65535'],
    ['INGRESS_PORT', ' 8080 ', 'must be a decimal integer from 0 to 65535'],
    ['INGRESS_PORT', '8080.0', 'must be a decimal integer from 0 to 65535'],
    ['INGRESS_PORT', '-1', 'must be a decimal integer from 0 to 65535'],
    ['INGRESS_PORT', '08080', 'must be a decimal integer from 0 to 65535'],
    ['QUERY_PORT', '65536', 'must be a decimal integer from 0 to 65535'],
    ['CONSUMER_PORT', ' ', 'must be a decimal integer from 0 to 65535'],
    ['LOCAL_KAFKA_PORT', '0', 'must be a decimal integer from 1 to 65534'],
    ['LOCAL_KAFKA_PORT', '65535', 'must be a decimal integer from 1 to 65534'],
    ['DATABASE_POOL_SIZE', '0x10', 'must be a decimal integer of at least 1'],
    ['DATABASE_POOL_SIZE', '0', 'must be a decimal integer of at least 1'],
    ['PRODUCE_TIMEOUT_MS', '1e3', 'must be a decimal integer of at least 100'],
    ['PRODUCE_LINGER_MS', ' 12 ', 'must be a decimal integer of at least 0'],
    ['TENANT_CACHE_TTL_MS', 'Infinity', 'must be a decimal integer of at least 0'],
    ['BODY_LIMIT_BYTES', '99999999999999999999', 'must be a decimal integer of at least 1'],
  ])('refuses %s=%j with one line naming it', (name, value, reason) => {
    expect(() => loadConfig({ [name]: value })).toThrow(
      new ConfigError(`invalid environment variable ${name}=${JSON.stringify(value)}: ${reason}`),
    );
  });

  it('reads decimal integers as numbers, an empty value as unset, and 0 as "any free port" for a service port', () => {
    const config = loadConfig({
      INGRESS_PORT: '9000',
      QUERY_PORT: '0',
      CONSUMER_PORT: '',
      PRODUCE_LINGER_MS: '0',
      DATABASE_POOL_SIZE: '25',
    });
    expect([config.INGRESS_PORT, config.QUERY_PORT, config.CONSUMER_PORT, config.PRODUCE_LINGER_MS, config.DATABASE_POOL_SIZE]).toEqual([
      9000, 0, 8082, 0, 25,
    ]);
  });
});

describe('loadConfig: KAFKA_BROKERS', () => {
  it.each([' , ', ',', 'a:1,,b:2', 'broker', 'broker:', ':9092', 'broker:0x10', 'broker:65536', 'a b:9092'])(
    'refuses %j naming KAFKA_BROKERS',
    (value) => {
      expect(() => loadConfig({ KAFKA_BROKERS: value })).toThrow(
        new ConfigError(
          `invalid environment variable KAFKA_BROKERS=${JSON.stringify(value)}: must be a comma-separated list of host:port (e.g. 127.0.0.1:9092)`,
        ),
      );
    },
  );

  it('unset (or empty) is told apart from the default: npm start runs its own broker, services use 127.0.0.1:9092', () => {
    for (const env of [{}, { KAFKA_BROKERS: '' }]) {
      const config = loadConfig(env);
      expect({ set: config.KAFKA_BROKERS, local: wantsLocalKafka(config), brokers: kafkaBrokers(config) }).toEqual({
        set: undefined,
        local: true,
        brokers: ['127.0.0.1:9092'],
      });
    }
    const named = loadConfig({ KAFKA_BROKERS: 'kafka:9092' });
    expect({ local: wantsLocalKafka(named), brokers: kafkaBrokers(named) }).toEqual({ local: false, brokers: ['kafka:9092'] });
  });

  it('trims each entry', () => {
    expect(loadConfig({ KAFKA_BROKERS: ' kafka-1:9092 ,kafka-2:19092, [::1]:9092' }).KAFKA_BROKERS).toEqual([
      'kafka-1:9092',
      'kafka-2:19092',
      '[::1]:9092',
    ]);
  });
});

describe('npmStartPorts', () => {
  const ports = (env: Record<string, string>, localKafka = true) => npmStartPorts(loadConfig(env), { localKafka });

  it('lists every port npm start listens on, with the variable that sets it', () => {
    expect(ports({})).toEqual([
      { variable: 'LOCAL_KAFKA_PORT', port: 9092, host: '127.0.0.1' },
      { variable: 'LOCAL_KAFKA_PORT+1 (Kafka controller)', port: 9093, host: '127.0.0.1' },
      { variable: 'INGRESS_PORT', port: 8080, host: '127.0.0.1' },
      { variable: 'QUERY_PORT', port: 8081, host: '127.0.0.1' },
      { variable: 'CONSUMER_PORT', port: 8082, host: '127.0.0.1' },
    ]);
    expect(ports({ HOST: '0.0.0.0' }, false)).toEqual([
      { variable: 'INGRESS_PORT', port: 8080, host: '0.0.0.0' },
      { variable: 'QUERY_PORT', port: 8081, host: '0.0.0.0' },
      { variable: 'CONSUMER_PORT', port: 8082, host: '0.0.0.0' },
    ]);
  });

  it.each([
    [
      { QUERY_PORT: '8080' },
      true,
      'invalid environment: INGRESS_PORT and QUERY_PORT are both 8080; every port npm start listens on must differ',
    ],
    [
      { CONSUMER_PORT: '8081' },
      false,
      'invalid environment: QUERY_PORT and CONSUMER_PORT are both 8081; every port npm start listens on must differ',
    ],
    [
      { LOCAL_KAFKA_PORT: '8081' },
      true,
      'invalid environment: LOCAL_KAFKA_PORT and QUERY_PORT are both 8081; every port npm start listens on must differ',
    ],
    [
      { LOCAL_KAFKA_PORT: '8079' },
      true,
      'invalid environment: LOCAL_KAFKA_PORT+1 (Kafka controller) and INGRESS_PORT are both 8080; every port npm start listens on must differ',
    ],
    [
      { INGRESS_PORT: '0' },
      true,
      'invalid environment: INGRESS_PORT=0 (any free port) does not suit npm start, which prints the URLs it serves; choose a port',
    ],
  ])('refuses %j (local Kafka: %s) with one line naming the variables', (env, localKafka, message) => {
    expect(() => ports(env, localKafka)).toThrow(new ConfigError(message));
  });

  it('ignores the local Kafka ports when KAFKA_BROKERS names a cluster', () => {
    expect(ports({ LOCAL_KAFKA_PORT: '8079' }, false).map(({ port }) => port)).toEqual([8080, 8081, 8082]);
  });
});

describe('configEnvironment', () => {
  it('gives a child process the same config: loadConfig reads back what it wrote, unset settings left out', () => {
    const config = loadConfig({
      KAFKA_BROKERS: 'a:1,b:2',
      INGRESS_PORT: '9000',
      LOG_LEVEL: 'warn',
      PATH: '/usr/bin',
      DATABASE_URL: 'postgres://u:p@h:5433/db',
    });
    const env = configEnvironment(config);
    expect(env).toMatchObject({
      KAFKA_BROKERS: 'a:1,b:2',
      INGRESS_PORT: '9000',
      LOG_LEVEL: 'warn',
      PATH: '/usr/bin',
      DATABASE_URL: 'postgres://u:p@h:5433/db',
    });
    expect(Object.keys(env)).not.toContain('HOME');
    expect(loadConfig(env)).toEqual(config);
    expect(configEnvironment(loadConfig({}))).not.toHaveProperty('KAFKA_BROKERS');
  });
});

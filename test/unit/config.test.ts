import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../shared/config.ts';

describe('loadConfig', () => {
  it('gives every setting its documented default', () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe('postgres://postgres@127.0.0.1:5432/callstream');
    expect(config.KAFKA_BROKERS).toEqual(['127.0.0.1:9092']);
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
});

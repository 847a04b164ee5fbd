import { kafkaLoggingOption, REPO_ROOT, resolveKafkaJars } from '../../scripts/local-kafka.ts';
import type { Lab } from '../lab/lab.ts';
import { meanRecordBytes } from '../lab/prefill.ts';
import type { KafkaResult } from '../results.ts';
import { outputTail, runCommand } from '../lab/run-command.ts';

/**
 * Stage 2: the broker's own ceiling, measured by Kafka's producer perf tool (the class behind
 * kafka-producer-perf-test.sh, from the same Maven-resolved jars as the broker) with records of the
 * envelopes' mean size and acks=all, as fast as it can (--throughput -1). Batching is set as a
 * coalescing publisher would use it (5 ms linger, batches up to 512 KiB): with the tool's defaults
 * (16 KiB batches, no linger) 5 KB records travel ~3 to a request and the "ceiling" is request overhead.
 */
const TIMEOUT_MS = 5 * 60_000;
// "200000 records sent, 51234.5 records/sec (200.12 MB/sec), 300.12 ms avg latency, 800.00 ms max latency,
//  290 ms 50th, 600 ms 95th, 700 ms 99th, 790 ms 99.9th."
const SUMMARY =
  /(\d+) records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\), ([\d.]+) ms avg latency, ([\d.]+) ms max latency, (\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/;

async function run(command: string, args: string[]): Promise<string> {
  const result = await runCommand(command, args, { cwd: REPO_ROOT, timeoutMs: TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`${command} exited with ${result.code}: ${outputTail(result)}`);
  return result.output;
}

export async function runKafkaStage(lab: Lab, ingressRps: number | undefined): Promise<KafkaResult> {
  const lib = resolveKafkaJars();
  const topics = await lab.topics('kafka-ceiling');
  const recordBytes = meanRecordBytes(lab);
  const output = await run('java', [
    '-Xmx512m',
    kafkaLoggingOption(),
    '-cp',
    `${lib}/*`,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topics.callRecords,
    '--num-records',
    String(lab.options.kafkaRecords),
    '--record-size',
    String(recordBytes),
    '--throughput',
    '-1',
    '--producer-props',
    `bootstrap.servers=${lab.brokers.join(',')}`,
    'acks=all',
    'linger.ms=5',
    'batch.size=524288',
  ]);
  const match = SUMMARY.exec(output);
  if (!match) throw new Error(`could not read the producer perf tool's summary: ${output.slice(-2_000)}`);
  const recordsPerS = Number(match[2]);
  return {
    records_per_s: Math.round(recordsPerS),
    mb_per_s: Number(match[3]),
    record_bytes: recordBytes,
    records: Number(match[1]),
    p50_ms: Number(match[6]),
    p99_ms: Number(match[8]),
    ratio: ingressRps === undefined ? null : Math.round((ingressRps / recordsPerS) * 1000) / 1000,
  };
}

import { ROOT_CONTEXT, SpanKind, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { Batch } from 'kafkajs';
import { contextFromHeaders } from '../../shared/tracing/propagation.ts';
import type { BatchOutcome, IncomingRecord } from './records.ts';

/**
 * A batch's spans: the batch, a CONSUMER span of its own trace linked to every record's (a batch holds many
 * callbacks, so it can be no one's child), and one span per record, the child of the record's traceparent,
 * so that a callback's trace goes on from the ingress's request to the batch that stored it. Ended once the
 * offsets are committed (or the batch is given up) with what became of each record.
 */
export interface BatchSpans {
  context: Context;
  end(outcome: BatchOutcome | undefined): void;
}

export const UNTRACED_BATCH: BatchSpans = { context: ROOT_CONTEXT, end: () => undefined };

export function batchSpans(tracer: Tracer, batch: Batch, records: IncomingRecord[]): BatchSpans {
  const messaging = {
    'messaging.system': 'kafka',
    'messaging.destination.name': batch.topic,
    'messaging.destination.partition.id': String(batch.partition),
  };
  const batchSpan = tracer.startSpan(
    `process ${batch.topic}`,
    {
      kind: SpanKind.CONSUMER,
      attributes: {
        ...messaging,
        'messaging.operation.type': 'process',
        'messaging.batch.message_count': records.length,
        'callstream.first_offset': batch.firstOffset() ?? '',
        'callstream.last_offset': batch.lastOffset(),
      },
    },
    ROOT_CONTEXT,
  );
  const recordSpans = new Map<IncomingRecord, Span>();
  for (const record of records) {
    const parent = contextFromHeaders(record.headers);
    const span = tracer.startSpan(
      `store ${batch.topic}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: { ...messaging, 'messaging.kafka.offset': Number(record.offset) },
        links: [{ context: batchSpan.spanContext() }],
      },
      parent,
    );
    const remote = trace.getSpanContext(parent);
    if (remote) batchSpan.addLink({ context: remote });
    recordSpans.set(record, span);
  }
  return {
    context: trace.setSpan(ROOT_CONTEXT, batchSpan),
    end(outcome) {
      const dead = new Map(outcome?.deadLetters.map((letter) => [letter.record, letter]));
      for (const [record, span] of recordSpans) {
        const letter = dead.get(record);
        span.setAttribute('callstream.outcome', !outcome ? 'given up' : letter ? 'dead-lettered' : 'stored');
        if (letter) span.setAttribute('callstream.dead_letter_code', letter.code);
        span.end();
      }
      if (outcome)
        batchSpan.setAttributes({ 'callstream.calls_written': outcome.written, 'callstream.dead_letters': outcome.deadLetters.length });
      else batchSpan.setAttribute('callstream.outcome', 'given up');
      batchSpan.end();
    },
  };
}

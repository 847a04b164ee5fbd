import type { IHeaders } from 'kafkajs';
import type { DeadLetterCode } from './steps/step-result.ts';

/** One record of the call-records topic as the consumer hands it to the batch processor. */
export interface IncomingRecord {
  partition: number;
  offset: string;
  value: Buffer | null;
  key?: Buffer | null;
  headers?: IHeaders;
}

/** A record that can never be stored, with why: it goes to the dead-letter topic and the partition moves on. */
export interface DeadLetter {
  record: IncomingRecord;
  code: DeadLetterCode;
  reason: string;
  /** The SQLSTATE when Postgres rejected the record. */
  sqlState?: string;
}

/** What one batch came to: the calls and rows written, and the records to dead-letter. */
export interface BatchOutcome {
  /** Calls whose rows were written; the others were not newer than what is stored. */
  written: number;
  /** Rows written per table. */
  rows: Record<string, number>;
  deadLetters: DeadLetter[];
  /** receivedAt (epoch ms) of every call in the committed transaction, for the freshness histogram. */
  receivedAt: number[];
}

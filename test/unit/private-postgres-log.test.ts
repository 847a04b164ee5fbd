import { describe, expect, it } from 'vitest';
import { lsnBytes, startReportOf } from '../../kit/private-postgres.ts';

/** What the chaos run reads from the private Postgres's log of a start (lines as PostgreSQL 15 writes them). */
describe('private Postgres start report', () => {
  it('reads a crash recovery and the WAL it replayed', () => {
    const log = [
      '2026-12-01 14:05:12.171 UTC [9483] LOG:  database system was interrupted; last known up at 2026-12-01 14:05:11 UTC',
      '2026-12-01 14:05:12.971 UTC [9483] LOG:  database system was not properly shut down; automatic recovery in progress',
      '2026-12-01 14:05:12.979 UTC [9483] LOG:  redo starts at 0/1511B00',
      '2026-12-01 14:05:13.038 UTC [9483] LOG:  invalid record length at 0/1B46C78: wanted 24, got 0',
      '2026-12-01 14:05:13.038 UTC [9483] LOG:  redo done at 0/1B46C50 system usage: CPU: user: 0.01 s, system: 0.01 s, elapsed: 0.05 s',
      '2026-12-01 14:05:13.151 UTC [9479] LOG:  database system is ready to accept connections',
    ].join('\n');
    expect(startReportOf(log, 870)).toEqual({
      crashRecovery: true,
      walReplayedBytes: 0x1b46c50 - 0x1511b00,
      redoMs: 50,
      readyAfterMs: 870,
    });
  });

  it('reads a recovery with nothing to replay, and a clean start', () => {
    const nothing = [
      '... LOG:  database system was not properly shut down; automatic recovery in progress',
      '... LOG:  invalid record length at 0/1B46CF0: wanted 24, got 0',
      '... LOG:  redo is not required',
    ].join('\n');
    expect(startReportOf(nothing, 100)).toEqual({ crashRecovery: true, walReplayedBytes: 0, redoMs: 0, readyAfterMs: 100 });
    expect(startReportOf('... LOG:  database system was shut down at 2026-12-01 14:05:14 UTC', 60)).toEqual({
      crashRecovery: false,
      readyAfterMs: 60,
    });
  });

  it('reads a WAL position as a byte offset', () => {
    expect(lsnBytes('16/B374D848')).toBe(0x16 * 2 ** 32 + 0xb374d848);
  });
});

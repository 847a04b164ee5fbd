import { describe, expect, it } from 'vitest';
import { connectResult, isConnected, type ConnectFacts } from '../../services/query/connect-result.ts';

/** The connectResult table of the README: one test per code and per pattern that leads to it. */
const notConnected = (hangupCause: string | null): ConnectFacts => ({
  callDuration: 0,
  hasDialogueLines: false,
  calledResult: 1,
  hangupCause,
});

describe('connectResult', () => {
  it('"connected" means callDuration > 0 and a dialogue line or calledResult 2', () => {
    expect(isConnected({ callDuration: 14, hasDialogueLines: true, calledResult: 1, hangupCause: null })).toBe(true);
    expect(isConnected({ callDuration: 14, hasDialogueLines: false, calledResult: 2, hangupCause: null })).toBe(true);
    expect(isConnected({ callDuration: 14, hasDialogueLines: false, calledResult: 1, hangupCause: null })).toBe(false);
    expect(isConnected({ callDuration: 14, hasDialogueLines: false, calledResult: null, hangupCause: null })).toBe(false);
    expect(isConnected({ callDuration: 0, hasDialogueLines: true, calledResult: 2, hangupCause: null })).toBe(false);
  });

  it('SUCCESSFUL when connected, whatever hangupCause says', () => {
    expect(connectResult({ callDuration: 14, hasDialogueLines: true, calledResult: 1, hangupCause: 'お客様が取り込み中' })).toBe(
      'SUCCESSFUL',
    );
  });

  it.each(['busy', 'Line BUSY', '話中', '对方忙', 'お客様が取り込み中'])('BUSY for %j', (cause) => {
    expect(connectResult(notConnected(cause))).toBe('BUSY');
  });

  it.each(['rejected', 'Call Rejected', '着信拒否', '用户拒接'])('REJECTED for %j', (cause) => {
    expect(connectResult(notConnected(cause))).toBe('REJECTED');
  });

  it.each([null, '', '   ', '不在', '无人接听', 'No answer'])('NO_ANSWER for %j', (cause) => {
    expect(connectResult(notConnected(cause))).toBe('NO_ANSWER');
  });

  it.each(['回線エラー', 'network failure', '空号'])('FAILED for any other cause: %j', (cause) => {
    expect(connectResult(notConnected(cause))).toBe('FAILED');
  });

  it('the first matching rule wins (BUSY before REJECTED before NO_ANSWER)', () => {
    expect(connectResult(notConnected('busy, then rejected'))).toBe('BUSY');
    expect(connectResult(notConnected('拒否 / 不在'))).toBe('REJECTED');
  });
});

import type { CallbackIssue } from '../../../shared/callback/schema.ts';

/**
 * How many issues a 422 answer and its quarantine record list. A megabyte of wrong array elements once
 * made an answer of 30 MB and a quarantine record too large for its topic (so the payload was lost);
 * the first issues name what to fix, the count says how much more there is.
 */
export const MAX_LISTED_ISSUES = 100;

export interface ListedIssues {
  issues: CallbackIssue[];
  /** Only when issues were left out: how many were found (a lower bound when checking stopped early). */
  issueCount?: number;
  /** Only when issues were left out: always true. */
  issuesTruncated?: true;
}

/**
 * The first MAX_LISTED_ISSUES issues in the order found; with `issueCount` and `issuesTruncated` when
 * there were more, or when checking stopped early (`checkingStopped`), so that a short list stays as it was.
 */
export function listIssues(issues: CallbackIssue[], checkingStopped = false): ListedIssues {
  if (issues.length <= MAX_LISTED_ISSUES && !checkingStopped) return { issues };
  return { issues: issues.slice(0, MAX_LISTED_ISSUES), issueCount: issues.length, issuesTruncated: true };
}

/**
 * The metric names a PromQL expression reads (of an alert rule, of a dashboard panel), so that a test can
 * ask a real Prometheus whether each exists: a renamed metric must fail CI, not an alert in production.
 * Not a parser: it drops what can hold other words (strings, label matchers, ranges, grouping clauses,
 * numbers and durations), then keeps the words that are neither a function (followed by "(") nor a keyword.
 */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'bool',
  'inf',
  'nan',
]);

export function metricNames(expression: string): string[] {
  const reduced = expression
    // Grafana's variables stand for a duration.
    .replace(/\$__\w+|\$\{\w+\}|\$\w+/g, '1m')
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gi, ' ')
    .replace(/(?<![\w:])\d[\w.]*/g, ' ');
  const names = new Set<string>();
  for (const match of reduced.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    const after = reduced.slice(match.index + word.length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names].sort();
}

/** The series a histogram's quantiles read are its _bucket; the metric as registered is its base name. */
export function registeredName(name: string): string {
  return name.replace(/_(bucket|sum|count)$/, '');
}

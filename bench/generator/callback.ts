import { createRandom, seedFor, type Random } from './random.ts';
import * as words from './phrases.ts';

/**
 * Realistic callbacks for the benchmark, fully determined by (seed, index): 1–2 bot sessions with 10–40
 * dialogue lines in all, Japanese and English text, labels, variables, recordings and a contact, about
 * 2–6 KB of JSON each. The size is drawn first and the dialogue text is cut to fit it, so large and
 * small calls both occur whatever the line count.
 */
export const MIN_LINES = 10;
export const MAX_LINES = 40;
const MIN_BYTES = 2_200;
const MAX_BYTES = 5_800;

type Json = Record<string, unknown>;

const pad = (value: number, width = 2) => String(value).padStart(width, '0');
const YEAR_START = Date.UTC(2025, 0, 1);

function localTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

const phone = (random: Random, prefix: string) => prefix + String(random.int(0, 99_999_999)).padStart(8, '0');
const recording = (callId: string, part: string) => `https://rec.example.com/${callId}/${part}.mp3`;

/** UUID-shaped call ids: a 24-character run prefix and the payload index as 12 hex digits. */
export function callIdOf(prefix: string, index: number): string {
  return prefix + index.toString(16).padStart(12, '0');
}

/** A fresh prefix `xxxxxxxx-xxxx-4xxx-8xxx-` for callIdOf. */
export function callIdPrefix(random: Random): string {
  const hex = (digits: number) => Array.from({ length: digits }, () => random.int(0, 15).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-`;
}

const bytes = (value: string) => Buffer.byteLength(value);

/** Text of at most `budget` UTF-8 bytes (or the shortest phrase), built from the given vocabulary. */
function text(random: Random, phrases: readonly string[], budget: number): string {
  const fitting = phrases.filter((phrase) => bytes(phrase) <= budget);
  if (fitting.length === 0) return phrases.reduce((a, b) => (bytes(a) <= bytes(b) ? a : b));
  let out = random.pick(fitting);
  for (let tries = 0; tries < 8; tries += 1) {
    const next = random.pick(phrases);
    if (bytes(out + next) > budget) break;
    out += next;
  }
  return out;
}

function lineSkeleton(random: Random, role: number, at: number): Json {
  const line: Json = { dialogueRole: role, dialogueStartTime: localTime(at), dialogueContent: '' };
  if (role === 2) {
    const hit = random.chance(0.6);
    line.matchType = hit ? random.pick([1, 2, 3, 4, 6, 9]) : 10;
    if (hit) line.matchName = random.pick(words.MATCH_NAMES);
  }
  return line;
}

export function generateCallback(seed: number, index: number, callId: string): Json {
  const random = createRandom(seedFor(seed, index));
  const workflow = random.pick([1, 2, 3, 4, 4, 4]);
  const start = YEAR_START / 1000 + random.int(0, 364 * 86_400);
  const lineCount = random.int(MIN_LINES, MAX_LINES);
  // A second bot session only where its overhead still fits the size range.
  const sessions = lineCount >= 16 && lineCount <= 30 && random.chance(0.3) ? 2 : 1;
  const duration = lineCount * random.int(3, 8);
  const [intentionKey, intentionName] = random.pick(words.INTENTIONS);
  const [province, city] = random.pick(words.PROVINCES);
  const connected = random.chance(0.8);

  let at = start;
  const instances = Array.from({ length: sessions }, (_, session) => {
    const count = session === 0 ? Math.ceil(lineCount / sessions) : Math.floor(lineCount / sessions);
    const begin = at;
    const lines = Array.from({ length: count }, (_, n) => lineSkeleton(random, n % 2 === 0 ? 1 : 2, (at += random.int(1, 6))));
    const robotName = random.pick(words.ROBOT_NAMES);
    return {
      callId,
      instanceId: 1_622_255_025_121_140 + index * 2 + session,
      robotId: random.int(20_000, 30_000),
      robotDefId: random.int(30_000, 40_000),
      robotName,
      dialogueStartTime: localTime(begin),
      dialogueEndTime: localTime(at),
      dialogueDuration: at - begin,
      dialogueRecordUrl: recording(callId, `s${session}`),
      dialogueRound: Math.ceil(count / 2),
      intentionLabelKey: intentionKey,
      intentionLabelName: intentionName,
      labelInfoList: [{ name: random.pick(words.LABELS) }],
      dialogueContentList: lines,
    };
  });

  const callback: Json = {
    callId,
    workflow,
    fromNumber: phone(random, '189'),
    toNumber: phone(random, '053'),
    relayNumber: phone(random, '053'),
    callStartTime: localTime(start),
    callEndTime: localTime(start + duration),
    callDuration: connected ? duration : 0,
    callRecordUrl: recording(callId, 'all'),
    customerProvince: province,
    customerCity: city,
    routerId: random.int(1, 500),
    routerName: `router-${random.int(1, 50)}`,
    transferAgentFlag: random.chance(0.1) ? 1 : 0,
    robotNames: instances.map((instance) => instance.robotName),
    labelInfos: [random.pick(words.LABELS)],
    variables: Array.from({ length: random.int(1, 4) }, (_, n) => ({
      variableName: `v${n}`,
      variableValue: random.pick(['北京', '東京', 'yes', '42']),
    })),
    instances,
    intentionLabelKey: intentionKey,
    intentionLabelName: intentionName,
    allRecordUrl: [{ recordUrl: recording(callId, 'all'), recordType: 'ivr' }],
    adTaskId: random.int(1, 3_000),
    adTaskName: 'テスト発信タスク',
    contactDetailRel: {
      name: `${random.pick(words.FAMILY_NAMES)} ${random.pick(words.GIVEN_NAMES)}`,
      mobile: phone(random, '187'),
      companyName: random.pick(words.COMPANIES),
      remark: '美しく心優しい',
      variates: [
        { key: 'name', type: 'text', value: 'zmh' },
        { key: 'age', type: 'number', value: String(random.int(18, 90)) },
      ],
    },
    callResult: 1,
    calledResult: connected ? 2 : 1,
    agentCallDuration: 0,
    hangupCause: connected ? '' : random.pick(words.HANGUP_CAUSES),
    hangupBy: random.int(1, 5),
    // The seed's own sample sends customerNumber as a JSON number; some of ours do too.
    customerNumber: random.chance(0.3) ? Number(phone(random, '187')) : phone(random, '187'),
    remark: '',
    taskContactBatchName: 'テスト連絡先',
    userAnsweredFlag: connected ? 1 : 0,
    userAnsweredCount: Math.floor(lineCount / 2),
    userAnsweredEffectiveCount: random.int(0, 3),
    isFinalCall: random.int(0, 1),
    gender: random.pick(['male', 'female', 'unknown']),
  };

  // Fill the dialogue text up to a size drawn for this payload.
  const target = random.int(MIN_BYTES, MAX_BYTES);
  const lines = instances.flatMap((instance) => instance.dialogueContentList);
  const share = Math.max(3, Math.floor((target - Buffer.byteLength(JSON.stringify(callback))) / lines.length));
  for (const line of lines) {
    line.dialogueContent = text(random, line.dialogueRole === 1 ? words.BOT_PHRASES : words.USER_PHRASES, share);
  }
  return callback;
}

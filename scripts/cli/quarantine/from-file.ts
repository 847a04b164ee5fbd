import { readFile } from 'node:fs/promises';
import { CommandFailure } from '../command.ts';
import { shown } from '../values.ts';
import { parseQuarantined, type Quarantined } from './quarantined.ts';

/**
 * The records of a file `quarantine export` wrote, perhaps fixed by hand: one quarantined record per
 * line, blank lines ignored. The whole file is checked before anything is replayed: a line that is not
 * JSON, or not a quarantined record, stops the command (exit 1) with its line number, and nothing is sent.
 */
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export async function readQuarantineFile(path: string): Promise<Quarantined[]> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CommandFailure(
      'FILE_UNREADABLE',
      `cannot read --from-file ${shown(path)}: ${typeof code === 'string' ? code : String(error)}`,
    );
  }
  let text: string;
  try {
    text = STRICT_UTF8.decode(bytes);
  } catch {
    throw new CommandFailure('FILE_NOT_UTF8', `--from-file ${shown(path)} is not UTF-8 text`);
  }
  const records: Quarantined[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const where = `${shown(path)} line ${index + 1}`;
    let original: unknown;
    try {
      original = JSON.parse(line);
    } catch (error) {
      throw new CommandFailure('FILE_LINE_NOT_JSON', `${where} is not JSON: ${(error as Error).message}; nothing was replayed`);
    }
    const parsed = parseQuarantined(original);
    if (!parsed.ok) throw new CommandFailure('FILE_LINE_NOT_QUARANTINED', `${where} is ${parsed.reason}; nothing was replayed`);
    records.push({ record: parsed.record, original, position: { line: index + 1 } });
  }
  return records;
}

/** One journal line: `{"s":<sequence>,"e":<entry>}` + "\n". The sequence lets a snapshot say which entries it already holds. */
export interface JournalRecord {
  s: number;
  e: unknown;
}

export function formatJournalLine(sequence: number, entryJson: string): string {
  return `{"s":${sequence},"e":${entryJson}}\n`;
}

export class JournalCorruptError extends Error {
  constructor(file: string, line: number, reason: string) {
    super(`Journal ${file} is corrupt at line ${line}: ${reason}`);
    this.name = 'JournalCorruptError';
  }
}

export interface ParsedJournal {
  records: JournalRecord[];
  /** Length of the prefix made of complete, valid lines; anything after it is a torn final write. */
  validBytes: number;
}

/**
 * A crash can only tear the final write, and a group-committed write is never acknowledged before
 * its fsync, so an unterminated or unparseable LAST line is dropped silently. A bad line with valid
 * lines after it cannot come from a crash and is reported instead of being skipped.
 */
export function parseJournal(buffer: Buffer, file: string): ParsedJournal {
  const records: JournalRecord[] = [];
  let offset = 0;
  let line = 0;
  while (offset < buffer.length) {
    const newline = buffer.indexOf(0x0a, offset);
    if (newline < 0) break;
    line += 1;
    const record = parseRecord(buffer.toString('utf8', offset, newline));
    if (!record) {
      if (newline === buffer.length - 1) break;
      throw new JournalCorruptError(file, line, 'invalid record followed by further records');
    }
    const previous = records[records.length - 1];
    if (previous && record.s <= previous.s) throw new JournalCorruptError(file, line, 'sequence numbers out of order');
    records.push(record);
    offset = newline + 1;
  }
  return { records, validBytes: offset };
}

function parseRecord(text: string): JournalRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<JournalRecord> | null;
    if (value && typeof value === 'object' && Number.isSafeInteger(value.s) && 'e' in value) return value as JournalRecord;
  } catch {
    // fall through: an unparseable line is handled by the caller
  }
  return undefined;
}

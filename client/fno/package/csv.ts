/**
 * CSV data files of data packages (RFC 4180: CRLF, double quotes doubled, a header row of field names). Data
 * management reads UTF-16 LE for a "CSV-Unicode" source format and UTF-8 for "CSV"; both carry a byte order mark.
 */
export type CsvEncoding = 'utf16le' | 'utf8';

export class CsvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvFormatError';
  }
}

function quote(value: string): string {
  // Leading or trailing blanks are quoted too: Data management trims unquoted fields.
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The CSV text of one field value: numbers as written, booleans as true/false, dates in ISO 8601. */
export function cellText(value: unknown, column: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new CsvFormatError(`The value of '${column}' is ${value}, which a data file cannot hold.`);
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new CsvFormatError(`The value of '${column}' is an invalid Date.`);
    return value.toISOString();
  }
  throw new CsvFormatError(`The value of '${column}' is ${Array.isArray(value) ? 'an array' : 'an object'}; a data file holds one text per field.`);
}

export function writeCsv(records: string[][], encoding: CsvEncoding = 'utf16le'): Buffer {
  const text = records.map((r) => r.map(quote).join(',')).join('\r\n') + (records.length ? '\r\n' : '');
  return encoding === 'utf16le'
    ? Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])
    : Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]);
}

/** Text of a data file or descriptor by its byte order mark (UTF-8 without one). */
export function decodeText(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('utf8');
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) {
    const swapped = Buffer.from(bytes.subarray(2));
    swapped.swap16();
    return swapped.toString('utf16le');
  }
  return bytes.toString('utf8');
}

export interface CsvReadLimits {
  maxRecords: number;
  maxFieldChars: number;
}

/** Records (header included); a final line end adds no empty record. */
export function parseCsv(text: string, limits: Partial<CsvReadLimits> = {}): string[][] {
  const maxRecords = limits.maxRecords ?? 5_000_000;
  const maxField = limits.maxFieldChars ?? 1024 * 1024;
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  const endField = () => {
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (records.length >= maxRecords) throw new CsvFormatError(`more than ${maxRecords} records`);
    records.push(record);
    record = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') {
      if (field !== '' || wasQuoted) throw new CsvFormatError(`record ${records.length + 1} has a quote inside an unquoted field`);
      quoted = wasQuoted = true;
    } else if (c === ',') endField();
    else if (c === '\r' || c === '\n') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      if (wasQuoted) throw new CsvFormatError(`record ${records.length + 1} has text after a closing quote`);
      field += c;
    }
    if (field.length > maxField) throw new CsvFormatError(`record ${records.length + 1} has a field longer than ${maxField} characters`);
  }
  if (quoted) throw new CsvFormatError(`record ${records.length + 1} has an unterminated quoted field`);
  if (field !== '' || record.length > 0 || wasQuoted) endRecord();
  return records;
}

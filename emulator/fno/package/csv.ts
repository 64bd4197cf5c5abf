/**
 * CSV data files of data packages: RFC 4180 quoting, CRLF line ends, a header row of field names. F&O writes
 * UTF-8 with a BOM for the "CSV" format and UTF-16 LE with a BOM for "CSV-Unicode"; both are read.
 */
import { decodeText } from './xml-reader';

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

export interface CsvLimits {
  maxRecords: number;
  maxFields: number;
  maxFieldChars: number;
}

const DEFAULT_LIMITS: CsvLimits = { maxRecords: 1_000_000, maxFields: 1_000, maxFieldChars: 1024 * 1024 };

/** Records of a data file (the header included); a trailing line end adds no empty record. */
export function parseCsv(bytes: Buffer, limits: Partial<CsvLimits> = {}): string[][] {
  const lim = { ...DEFAULT_LIMITS, ...limits };
  const text = decodeText(bytes);
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let wasQuoted = false;
  let i = 0;
  const endField = () => {
    if (record.length >= lim.maxFields) throw new CsvError(`Record ${records.length + 1} has more than ${lim.maxFields} fields.`);
    record.push(field);
    field = '';
    wasQuoted = false;
  };
  const endRecord = () => {
    endField();
    if (records.length >= lim.maxRecords) throw new CsvError(`The file has more than ${lim.maxRecords} records.`);
    records.push(record);
    record = [];
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        continue;
      }
      field += c;
    } else if (c === '"') {
      if (field !== '' || wasQuoted) throw new CsvError(`Record ${records.length + 1} has a quote inside an unquoted field.`);
      quoted = true;
      wasQuoted = true;
    } else if (c === ',') {
      endField();
    } else if (c === '\r' || c === '\n') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      if (wasQuoted) throw new CsvError(`Record ${records.length + 1} has text after a closing quote.`);
      field += c;
    }
    if (field.length > lim.maxFieldChars) throw new CsvError(`Record ${records.length + 1} has a field longer than ${lim.maxFieldChars} characters.`);
    i++;
  }
  if (quoted) throw new CsvError(`Record ${records.length + 1} has an unterminated quoted field.`);
  if (field !== '' || record.length > 0 || wasQuoted) endRecord();
  return records;
}

/** A UTF-8 data file with BOM and CRLF line ends; fields are quoted when they hold a separator, quote or line end. */
export function writeCsv(records: string[][]): Buffer {
  const lines = records.map((r) => r.map(quote).join(',')).join('\r\n');
  return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(records.length ? `${lines}\r\n` : '', 'utf8')]);
}

function quote(value: string): string {
  return /[",\r\n]/.test(value) || /^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

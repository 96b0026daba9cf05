/**
 * A small RFC 4180 CSV reader for seeds: comma-separated, `"` quotes (a doubled `""` inside
 * is a quote), CRLF or LF line ends, quoted fields may span lines. Each record keeps the
 * 1-based line it starts on, so a bad row is reported as file:line.
 */
import { XpError } from '../core/errors.ts';

export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
  /** which fields were quoted: an empty quoted field is an empty string, an empty bare one is null */
  readonly quoted: readonly boolean[];
}

export function parseCsv(text: string, file: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const src = text.startsWith('\uFEFF') ? text.slice(1) : text;
  let line = 1;
  let i = 0;
  while (i < src.length) {
    const start = line;
    const fields: string[] = [];
    const quoted: boolean[] = [];
    // one record
    for (;;) {
      let value = '';
      let wasQuoted = false;
      if (src[i] === '"') {
        wasQuoted = true;
        i++;
        for (;;) {
          if (i >= src.length) {
            throw new XpError('SEED_INVALID', 'unterminated quoted field', {
              location: { file, line: start },
              hint: 'close the quote; a quote inside a quoted field is written twice ("")',
            });
          }
          const c = src[i]!;
          if (c === '"') {
            if (src[i + 1] === '"') { value += '"'; i += 2; continue; }
            i++;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') {
          throw new XpError('SEED_INVALID', 'text after a closing quote', { location: { file, line }, hint: 'quote the whole field, or write a quote inside it as ""' });
        }
      } else {
        while (i < src.length && src[i] !== ',' && src[i] !== '\n' && src[i] !== '\r') value += src[i++];
      }
      fields.push(value);
      quoted.push(wasQuoted);
      if (src[i] === ',') { i++; continue; }
      if (src[i] === '\r') i++;
      if (src[i] === '\n') { i++; line++; }
      break;
    }
    // a blank line is no record
    if (!(fields.length === 1 && fields[0] === '' && !quoted[0])) records.push({ line: start, fields, quoted });
  }
  return records;
}

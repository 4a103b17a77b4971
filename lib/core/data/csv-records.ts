import type { BarDataProblem } from "./errors";

/** One CSV record: its fields, and the 1-based line of the file on which it starts. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: readonly string[];
}

/**
 * Reads CSV text (RFC 4180) record by record: comma-separated fields, optionally double-quoted,
 * with "" for a literal quote inside quotes, where commas and line breaks are data. Accepts a
 * leading byte-order mark and LF, CRLF or CR line ends. Fields are trimmed outside quotes. A
 * blank line comes out as a record with one empty field, for the caller to judge (trailing blank
 * lines are harmless, others are not). Records are produced lazily, so a large file never holds
 * all of them in memory at once. Stops at the first malformed quote, yielding the problem.
 */
export function* csvRecords(text: string): Generator<CsvRecord | BarDataProblem> {
  let position = text.charCodeAt(0) === BYTE_ORDER_MARK ? 1 : 0;
  let line = 1;
  while (position < text.length) {
    const recordLine = line;
    const fields: string[] = [];
    for (;;) {
      const field = readField(text, position);
      if ("rule" in field) {
        yield { ...field, row: line };
        return;
      }
      fields.push(field.value);
      line += field.lineBreaks;
      position = field.end;
      if (text[position] !== ",") break;
      position++;
    }
    yield { line: recordLine, fields };
    position += text.startsWith("\r\n", position) ? 2 : 1;
    line++;
  }
}

export function isBlank(record: CsvRecord): boolean {
  return record.fields.length === 1 && record.fields[0] === "";
}

const BYTE_ORDER_MARK = 0xfeff;
const UNQUOTED_FIELD_END = /[,\r\n]/g;
const SPACES = /[ \t]*/y;

interface Field {
  value: string;
  /** Index of the character after the field: a comma, a line break, or the end of the text. */
  end: number;
  /** Line breaks inside a quoted value. */
  lineBreaks: number;
}

function readField(text: string, start: number): Field | Omit<BarDataProblem, "row"> {
  const opening = skipSpaces(text, start);
  if (text[opening] !== '"') {
    UNQUOTED_FIELD_END.lastIndex = start;
    const end = UNQUOTED_FIELD_END.exec(text)?.index ?? text.length;
    return { value: text.slice(start, end).trim(), end, lineBreaks: 0 };
  }
  const closing = findClosingQuote(text, opening + 1);
  if (closing < 0) return { rule: "malformed-quote", detail: "a quoted field is never closed" };
  const end = skipSpaces(text, closing + 1);
  if (end < text.length && !",\r\n".includes(text[end])) {
    return { rule: "malformed-quote", detail: `unexpected text after a closing quote: ${text.slice(end, end + 10)}` };
  }
  const raw = text.slice(opening + 1, closing);
  return { value: raw.replaceAll('""', '"'), end, lineBreaks: (raw.match(/\r\n|\r|\n/g) ?? []).length };
}

function skipSpaces(text: string, from: number): number {
  SPACES.lastIndex = from;
  SPACES.exec(text);
  return SPACES.lastIndex;
}

/** Index of the quote that closes a field opened just before `from`, skipping "" pairs; -1 if none. */
function findClosingQuote(text: string, from: number): number {
  let i = from;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0 || text[quote + 1] !== '"') return quote;
    i = quote + 2;
  }
}

import { isAscii, isUtf8 } from 'node:buffer';
import { SourceError } from './source-error.js';
import { decodeWindows1252 } from './windows-1252.js';

/**
 * Watches the records of a CSV said to be latin1 for a UTF-8 file without a byte order mark (one
 * with it is refused at its first bytes: refuseUtf8BomAsLatin1). Read as Windows-1252, each of its
 * accented letters is written as two wrong ones (é as Ã©), row after row, and the job succeeds.
 * Real Windows-1252 text is almost never valid UTF-8 beyond ASCII (é is one byte, E9, followed by
 * a letter, which UTF-8 forbids), so a file whose every record is valid UTF-8, and one holds more
 * than ASCII, is UTF-8. One byte that is not UTF-8 anywhere and the file is latin1 as said.
 */
export class Utf8AsLatin1Watch {
  private first: { at: number; char: string } | undefined;
  private latin1 = false;

  /** Looks at the bytes [start, end) of one record; `offset` is the file offset of buf[0]. */
  see(buf: Buffer, start: number, end: number, offset: number): void {
    if (this.latin1) return;
    const span = buf.subarray(start, end);
    if (isAscii(span)) return;
    if (!isUtf8(span)) {
      this.latin1 = true;
      return;
    }
    if (this.first !== undefined) return;
    const i = span.findIndex((b) => b >= 0x80);
    const lead = span[i]!;
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    this.first = { at: offset + start + i, char: span.toString('utf8', i, i + length) };
  }

  /** Refuses the file when it looked like UTF-8 throughout; `path` names it. */
  check(path: string): void {
    const first = this.utf8First();
    if (first === undefined) return;
    const { at, char, misread } = first;
    throw new SourceError(
      `[source:csv] ${path} is UTF-8 text (all its bytes beyond ASCII are UTF-8, the first at byte ${at}: ${JSON.stringify(char)}), but source.csv.encoding is latin1: read as Windows-1252, ${char} would be written as ${misread}. Hint: remove encoding: latin1 (UTF-8 is the default)`,
      { offset: at },
    );
  }

  /** What `check` would say of a file of which only the first `seen` bytes were looked at; undefined when they are not UTF-8 text. */
  suspicion(path: string, seen: number): string | undefined {
    const first = this.utf8First();
    if (first === undefined) return undefined;
    const { at, char, misread } = first;
    return `${path} looks like UTF-8 text (every byte beyond ASCII in its first ${seen} bytes is UTF-8, the first at byte ${at}: ${JSON.stringify(char)}), but source.csv.encoding is latin1: read as Windows-1252, ${char} would be written as ${misread}. The job refuses the file before writing if all of it is UTF-8; remove encoding: latin1 if it is`;
  }

  private utf8First(): { at: number; char: string; misread: string } | undefined {
    if (this.latin1 || this.first === undefined) return undefined;
    const { at, char } = this.first;
    const bytes = Buffer.from(char, 'utf8');
    return { at, char, misread: decodeWindows1252(bytes, 0, bytes.length) };
  }
}

import { describe, expect, it } from 'vitest';
import { csvTarget, escapeFormula } from '../../../src/targets/csv.js';

const options = { headers: ['id', 'name', 'note'], escapeFormulas: false };

describe('csv target', () => {
  it('writes the header row and each row with CRLF, quoting only what RFC 4180 requires', async () => {
    expect(await csvTarget.header(options)).toBe('id,name,note\r\n');
    const rows = [
      { id: 1, name: 'Ann, Jr.', note: 'said "hi"' },
      { id: 2, name: 'two\nlines', note: 'cr\rhere' },
      { id: 3, name: 'plain' },
    ];
    expect(await csvTarget.encode(rows, options)).toBe('1,"Ann, Jr.","said ""hi"""\r\n2,"two\nlines","cr\rhere"\r\n3,plain,\r\n');
  });

  it('writes missing and null as empty cells, booleans and numbers as text, objects and arrays as JSON', async () => {
    const headers = ['a', 'b', 'c', 'd', 'e', 'f'];
    const text = await csvTarget.encode([{ a: null, c: true, d: 1.5, e: { plan: 'pro', n: [1, 2] }, f: ['x', 'y'] }], { headers, escapeFormulas: false });
    expect(text).toBe(',,true,1.5,"{""plan"":""pro"",""n"":[1,2]}","[""x"",""y""]"\r\n');
  });

  it('quotes headers that need it, and encodes no rows as nothing', async () => {
    expect(await csvTarget.header({ headers: ['a,b', 'c'], escapeFormulas: false })).toBe('"a,b",c\r\n');
    expect(await csvTarget.encode([], options)).toBe('');
    expect(csvTarget.separator).toBe('');
    expect(csvTarget.footer(true)).toBe('');
  });

  it('neutralises formula cells with escape_formulas, leaving numbers (+1 too) and plain text alone', async () => {
    const headers = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const row = { a: '=1+2', b: '+1', c: '-cmd', d: '@SUM(A1)', e: '\tx', f: '\rx', g: -5, h: 'safe=1' };
    expect(await csvTarget.encode([row], { headers, escapeFormulas: true })).toBe(`'=1+2,+1,'-cmd,'@SUM(A1),'\tx,"'\rx",-5,safe=1\r\n`);
    expect(await csvTarget.encode([row], { headers, escapeFormulas: false })).toBe(`=1+2,+1,-cmd,@SUM(A1),\tx,"\rx",-5,safe=1\r\n`);
    expect(escapeFormula('')).toBe('');
  });

  it('leaves plain numbers and E.164 phone numbers as they are', async () => {
    const headers = ['phone', 'n', 'm', 'e', 'f', 'x', 'y', 'z'];
    const row = { phone: '+14155550000', n: '-5', m: '+1.5', e: '-2e10', f: '-.5', x: '+1415555000A', y: '+1-415', z: '-1+cmd|calc' };
    expect(await csvTarget.encode([row], { headers, escapeFormulas: true })).toBe(`+14155550000,-5,+1.5,-2e10,-.5,'+1415555000A,'+1-415,"'-1+cmd|calc"\r\n`);
    expect(escapeFormula('+4420 7946 0000')).toBe("'+4420 7946 0000");
    expect(escapeFormula('=1\n+14155550000')).toBe("'=1\n+14155550000");
    expect(escapeFormula('+14155550000\n=cmd')).toBe("'+14155550000\n=cmd");
  });

  it('escapes formula headers too', async () => {
    expect(await csvTarget.header({ headers: ['=cmd', 'id', '+1', '@a'], escapeFormulas: true })).toBe(`'=cmd,id,+1,'@a\r\n`);
    expect(await csvTarget.header({ headers: ['=cmd'], escapeFormulas: false })).toBe(`=cmd\r\n`);
  });
});

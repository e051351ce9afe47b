import { basename } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FileFormat } from '../../../src/spec/pipeline-schema.js';
import type { FileSourceOptions } from '../../../src/sources/types.js';
import { errorsOf, optionsFor, scanAndRead, tempDir } from './helpers.js';

/**
 * The raw text a malformed record's reject keeps has its secrets masked, as a parsed record's are:
 * a record that is not JSON (or not a CSV row of the header's width) cannot be parsed to find
 * them, so they are found in the text.
 */
const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;

const HASH = '$2b$10$abcdefghijklmnopqrstuOabcdefghijklmnopqrstuvwxyz01234';
const SECRET = 'hunter2-sesame';

function file(format: FileFormat, content: string | Buffer, csv: Partial<FileSourceOptions['csv']> = {}): FileSourceOptions {
  return optionsFor(format, tmp.file(`case-${++n}.${format}`, content), csv);
}

/** The one malformed record's raw text. */
async function rawOf(format: FileFormat, content: string | Buffer, csv: Partial<FileSourceOptions['csv']> = {}): Promise<string> {
  const { items } = await scanAndRead(file(format, content, csv));
  const errors = errorsOf(items);
  expect(errors).toHaveLength(1);
  return errors[0]!.raw;
}

function expectHidden(raw: string, ...secrets: string[]): void {
  for (const secret of secrets) expect(raw).not.toContain(secret);
  expect(raw).toContain('*****');
}

describe('the raw text of a malformed JSON or NDJSON record', () => {
  it('masks password_hash and keeps the rest to recognise the record (the reported line)', async () => {
    const line = `{"email":"a@x.io","password_hash":"${HASH}", "name": }`;
    const raw = await rawOf('ndjson', `${line}\n`);
    expect(raw).toBe('{"email":"a@x.io","password_hash":"*****", "name": }');
  });

  it.each([
    ['an escaped quote in the secret', `{"email":"a@x.io","password":"${SECRET}\\"x", "name": }`, [SECRET]],
    ['an unescaped quote in the secret (the error itself)', `{"email":"a@x.io","password":"hunter2"sesame-tail","name":"Ann"}`, ['hunter2', 'sesame-tail']],
    ['a string never closed', `{"email":"a@x.io","password":"${SECRET} and on`, [SECRET, 'and on']],
    ['a key written with escapes', `{"email":"a@x.io","pass\\u0077ord":"${SECRET}", }`, [SECRET]],
    ['a key with an escaped letter', `{"email":"a@x.io","pa\\ssword":"${SECRET}", }`, [SECRET]],
    ['secret keys in any case and named like secrets', `{"email":"a@x.io","PassWord":"${SECRET}","api_token":"tok-123456","x":}`, [SECRET, 'tok-123456']],
    ['a nested TOTP secret', `{"email":"a@x.io","mfa_factors":[{"totp":{"secret":"JBSWY3DPEHPK3PXP"}}],}`, ['JBSWY3DPEHPK3PXP']],
    ['custom_password_hash', `{"email":"a@x.io","custom_password_hash":{"algorithm":"md5","hash":{"value":"5f4dcc3b5aa765d6"}},}`, ['5f4dcc3b5aa765d6']],
    ['an unquoted key and single quotes', `{email: 'a@x.io', password: '${SECRET}'}`, [SECRET]],
    ['JSON held in a string', `{"email":"a@x.io","note":"{\\"password\\": \\"${SECRET}\\"}", }`, [SECRET]],
    ['a missing colon', `{"email":"a@x.io","password" "${SECRET}"}`, [SECRET]],
    ['a colon typed as =', `{"email":"a@x.io","password"="${SECRET}"}`, [SECRET]],
    ['a comment before the colon', `{"email":"a@x.io","password" /* pw */ : "${SECRET}"}`, [SECRET]],
    ['a colon inside the key', `{"email":"a@x.io","password:"${SECRET}"}`, [SECRET]],
    ['a key after apostrophes in other values', `{"email":"a@x.io","note":"it's","password":"${SECRET}","name":"bob's", }`, [SECRET]],
    ['a bare value', `{"email":"a@x.io","password": ${SECRET} }`, [SECRET]],
    ['a hash under another name', `{"email":"a@x.io","h":"${HASH}", }`, ['abcdefghijklmnopqrstu']],
    ['a duplicated secret key (valid JSON, refused)', `{"email":"a@x.io","password":"a-first-one","password":"${SECRET}"}`, ['a-first-one', SECRET]],
  ])('masks %s', async (_, line, secrets) => {
    const raw = await rawOf('ndjson', `${line}\n`);
    expectHidden(raw, ...secrets);
    expect(raw).toContain('a@x.io');
  });

  it('masks both halves of an NDJSON record a line break in its secret cut in two, and its error quotes no character of it', async () => {
    const options = file('ndjson', `{"email":"a@x.io","password":"hunter2\nsesame-tail","name":"Ann"}\n{"email":"b@x.io"}\n`);
    const { items } = await scanAndRead(options);
    const errors = errorsOf(items);
    expect(errors.map((e) => e.row)).toEqual([1, 2]);
    for (const { raw, error } of errors) {
      expectHidden(raw, 'hunter2', 'sesame');
      expect(error).not.toMatch(/'s'/);
    }
    expect(errors[1]).toMatchObject({ raw: '*****","name":"Ann"}', error: `invalid JSON: Unexpected character at ${basename(options.path)}:2:1 (byte 38)` });
  });

  it('quotes the character of a bare value nowhere', async () => {
    const { items } = await scanAndRead(file('ndjson', `{"email":"a@x.io","password": hunter2}\n`));
    expect(errorsOf(items)[0]!.error).not.toContain("'h'");
  });

  it('masks an NDJSON record that is an array, not an object', async () => {
    expectHidden(await rawOf('ndjson', `[{"email":"a@x.io","password":"${SECRET}"}]\n`), SECRET);
  });

  it('masks a multi-line element of a JSON array', async () => {
    const text = `[\n  {"email":"ok@x.io"},\n  {\n    "email": "a@x.io",\n    "password_hash":\n      "${HASH}",\n    "name": \n  }\n]\n`;
    const raw = await rawOf('json', text);
    expectHidden(raw, 'abcdefghijklmnopqrstu');
    expect(raw).toContain('"email": "a@x.io"');
  });

  it('masks a record with bytes that are not UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from(`{"email":"a@x.io","password":"${SECRET}","name":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
    expectHidden(await rawOf('ndjson', bytes), SECRET);
  });

  it('masks a secret the 1000-character cut runs through, to the cut', async () => {
    const line = `{"email":"a@x.io","note":"${'n'.repeat(960)}","password":"${'s'.repeat(100)}", }`;
    const raw = await rawOf('ndjson', `${line}\n`);
    expect(raw).not.toContain('sss');
    expect(raw.endsWith('"password":"*****')).toBe(true);
  });
});

describe('the raw text of a malformed CSV row', () => {
  const header = 'email,name,password_hash\n';

  it.each([
    ['an unclosed quote', `a@x.io,"Ann,${HASH}\n`],
    ['a missing cell', `a@x.io,${HASH}\n`],
    ['an extra cell (a comma in the name)', `a@x.io,Doe, Jane,${HASH}\n`],
    ['junk after a closing quote', `a@x.io,"Ann"x,${HASH}\n`],
  ])('masks a secret column for %s, keeps the email', async (_, row) => {
    const raw = await rawOf('csv', header + row);
    expectHidden(raw, 'abcdefghijklmnopqrstu');
    expect(raw.startsWith('a@x.io,')).toBe(true);
  });

  it('masks the secret cell where the row has the header width, by its position', async () => {
    const raw = await rawOf('csv', `email,password,name\na@x.io,"${SECRET}","Ann"x\n`);
    expect(raw).toBe('a@x.io,*****,"Ann"x');
  });

  it('masks a latin1 row and a row that is not UTF-8', async () => {
    expectHidden(await rawOf('csv', `email;secret;n\na@x.io;${SECRET}\n`, { delimiter: ';', encoding: 'latin1' }), SECRET);
    const bytes = Buffer.concat([Buffer.from(`email,password,name\na@x.io,${SECRET},`), Buffer.from([0xff]), Buffer.from('\n')]);
    expectHidden(await rawOf('csv', bytes), SECRET);
  });

  it('quotes no character after a closing quote when a column is secret: it may be one of the secret', async () => {
    const options = file('csv', 'email,password\na@x.io,"hunt"Q2\n');
    const { items } = await scanAndRead(options);
    expect(errorsOf(items)).toEqual([
      { row: 1, raw: 'a@x.io,*****', error: `unexpected character after a closing quote (column 2) at ${basename(options.path)}:2:14 (byte 28)` },
    ]);
  });

  it('masks the rows of a very wide header in linear time (a column range is asked in one step)', { timeout: 20_000 }, async () => {
    const header = [...Array.from({ length: 400_000 }, (_, i) => `c${i}`), 'password'].join(',');
    const row = `${Array.from({ length: 100 }, (_, i) => `v${i}`).join(',')},${SECRET}\n`;
    const started = Date.now();
    const { items } = await scanAndRead(file('csv', `${header}\n${row.repeat(200)}`));
    const errors = errorsOf(items);
    expect(errors).toHaveLength(200);
    for (const { raw } of errors) expectHidden(raw, SECRET);
    expect(errors[0]!.raw.startsWith('v0,v1,v2,')).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('keeps a row with no secret column as it was', async () => {
    expect(await rawOf('csv', 'email,name\na@x.io,"Ann\n')).toBe('a@x.io,"Ann');
  });
});

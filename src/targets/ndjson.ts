import { encodeObject } from './encode-object.js';
import type { TargetDefinition } from './types.js';

export const ndjsonTargetName = 'ndjson';

/** One JSON object per line, each line ending with a newline; an empty export is an empty file. */
export const ndjsonTarget: TargetDefinition = {
  name: ndjsonTargetName,
  header: async () => '',
  encode: async (rows, options) => rows.map((row) => `${encodeObject(row, options.headers)}\n`).join(''),
  separator: '',
  footer: () => '',
};

import { encodeObject } from './encode-object.js';
import type { TargetDefinition } from './types.js';

export const jsonTargetName = 'json';

/**
 * One JSON array, a user per line: `[`, the rows joined by `,` + newline, `]`. Ferry's JSON source
 * reads it back as is (the user-file format), so an export can be imported unchanged.
 */
export const jsonTarget: TargetDefinition = {
  name: jsonTargetName,
  header: async () => '[',
  // Each element starts its own line, so parts join with a bare comma.
  encode: async (rows, options) => rows.map((row) => `\n${encodeObject(row, options.headers)}`).join(','),
  separator: ',',
  footer: (empty) => (empty ? ']\n' : '\n]\n'),
};

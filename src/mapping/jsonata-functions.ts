/**
 * Every function a mapping expression can call without defining it: jsonata's built-ins (its
 * `staticFrame.bind` list, checked by test/unit/mapping/jsonata-functions.test.ts) and the two the
 * mapper registers with the job's frozen clock (mapper.ts `compileExpression`).
 */
export const jsonataFunctions: readonly string[] = [
  'sum', 'count', 'max', 'min', 'average', 'string', 'substring', 'substringBefore', 'substringAfter', 'lowercase',
  'uppercase', 'length', 'trim', 'pad', 'match', 'contains', 'replace', 'split', 'join', 'formatNumber', 'formatBase',
  'formatInteger', 'parseInteger', 'number', 'floor', 'ceil', 'round', 'abs', 'sqrt', 'power', 'random', 'boolean',
  'not', 'map', 'zip', 'filter', 'single', 'reduce', 'sift', 'keys', 'lookup', 'append', 'exists', 'spread', 'merge',
  'reverse', 'each', 'error', 'assert', 'type', 'sort', 'shuffle', 'distinct', 'base64encode', 'base64decode',
  'encodeUrlComponent', 'encodeUrl', 'decodeUrlComponent', 'decodeUrl', 'eval', 'toMillis', 'fromMillis', 'clone',
];

/** Registered by the mapper: the job's start time, so a replayed batch maps as before. */
export const ferryFunctions: readonly string[] = ['now', 'millis'];

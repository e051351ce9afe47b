import { createRequire } from 'node:module';
import type jsonataLibrary from 'jsonata';

/** A compiled expression of the `jsonata` library. */
export type JsonataExpression = jsonataLibrary.Expression;

/**
 * The `jsonata` library, loaded with `require`. It is one 300 KB CommonJS file, and an `import`
 * of CommonJS has Node scan the source for its export names first; for this file that scan kept
 * about 11 MB per thread for the life of the thread (RSS after the import: 53.7 MB against 43.0 MB
 * required, Node 20; the main thread and each batch thread load it). Every module of Ferry takes
 * it from here.
 */
export const jsonata = createRequire(import.meta.url)('jsonata') as typeof jsonataLibrary;

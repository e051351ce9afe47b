import { lstatSync, readlinkSync, statSync } from 'node:fs';
import { isNotA, notAFile, unreadable } from '../file-kind.js';
import type { Diagnostic } from '../spec/diagnostics.js';
import { readRegularFileSync, type RegularFileRead } from '../sources/regular-file.js';
import { notUtf8 } from './utf8-text.js';

/**
 * Past this size a YAML file is no pipeline or config but data (a YAML data file under pipelines/,
 * which `ferry validate` checks whole), and parsing and checking it would take minutes: 400,000
 * columns (6 MB) did not finish in 2 minutes.
 */
export const MAX_YAML_FILE_BYTES = 1024 * 1024;

/** Why a file is too large to be a pipeline or ferry.yaml, or undefined. */
export function tooLarge(path: string, what: string): string | undefined {
  const size = statSync(path, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= MAX_YAML_FILE_BYTES) return undefined;
  return tooLargeMessage(size, what);
}

/** The message of tooLarge for a file of `size` bytes. */
export function tooLargeMessage(size: number, what: string): string {
  return `the ${what} is ${(size / MAX_YAML_FILE_BYTES).toFixed(1)} MiB: a Ferry file is at most 1 MiB (is it a data file? keep data outside the YAML files validate reads)`;
}

/**
 * Why a Ferry file (`what`: config file, pipeline file, test file) cannot be read, by a stat only,
 * or undefined: not found, a dangling link (named, not "not found"), not a regular file (a named
 * pipe is never opened: a read of one waits for a writer for ever), too large.
 */
export function ferryFileProblem(path: string, what: string): string | undefined {
  const problem = notAFile(path, what) ?? tooLarge(path, what);
  if (problem === `${what} not found` && lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink())
    return `the ${what} is a symbolic link to ${readlinkSync(path)}, which does not exist`;
  return problem;
}

/** A Ferry file's text, or why it cannot be read, or where it stops being UTF-8. */
export type FerryFileRead = { text: string } | { problem: string } | { notUtf8: Omit<Diagnostic, 'file' | 'path'> };

/**
 * The one way ferry.yaml, a pipeline and a test file are read, with one wording for every refusal:
 * ferryFileProblem first, then the bytes from one handle checked again as read (the path may be a
 * named pipe by now, swapped in since the stat: that read never blocks), then UTF-8 throughout (a
 * Latin-1 `Müller` read as UTF-8 silently became another text).
 */
export function readFerryFile(path: string, what: string): FerryFileRead {
  const problem = ferryFileProblem(path, what);
  if (problem) return { problem };
  let read: RegularFileRead;
  try {
    read = readRegularFileSync(path, MAX_YAML_FILE_BYTES);
  } catch (err) {
    return { problem: unreadable(what, err) };
  }
  if ('notFile' in read) return { problem: `the ${what} ${isNotA(read.notFile)}` };
  if ('tooLarge' in read) return { problem: tooLargeMessage(read.tooLarge, what) };
  return notUtf8(read.bytes) ?? { text: read.bytes.toString('utf8') };
}

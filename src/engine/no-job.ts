import { visibleText } from '../spec/visible-text.js';

/** How much of a job id a message quotes: a real id is a pipeline name and a time, well under this. */
const SHOWN_ID = 80;

/**
 * A job id as a message quotes it: at most SHOWN_ID characters (an id given on the command line or
 * in a URL can be of any length, and a message once held a megabyte of it), then how many more;
 * every character a terminal acts on escaped (`visibleText`), line breaks included.
 */
export function shownJobId(id: string): string {
  if (id === '') return '""';
  if (id.length <= SHOWN_ID) return visibleText(id);
  // Not between the two halves of a surrogate pair: a lone half prints as a replacement character.
  const cut = /[\ud800-\udbff]/.test(id.charAt(SHOWN_ID - 1)) ? SHOWN_ID - 1 : SHOWN_ID;
  return `${visibleText(id.slice(0, cut))}… (${id.length} characters)`;
}

/**
 * The one answer to an id that names no job, on every command and in the console. `hint` (a CLI
 * answer) adds the command that lists the jobs; `onTemporal` says whose jobs were looked in.
 */
export function noJobMessage(id: string, options: { hint?: boolean; onTemporal?: boolean } = {}): string {
  return `no job ${shownJobId(id)}${options.onTemporal ? ' on Temporal' : ''}${options.hint ? ' (ferry jobs list shows the jobs)' : ''}`;
}

import { terminalLines, visibleText } from '../spec/visible-text.js';
import { factRows, rejectsHeading, whereRows, type NotifyReport } from './report.js';

/**
 * The HTML body of the completion email: the same facts as the text body, in tables with inline
 * styles (mail clients drop <style> blocks). Every interpolated value is escaped — pipeline names
 * are constrained, but reject messages and job errors quote source data.
 */
export function emailHtml(r: NotifyReport): string {
  const parts = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; font-size: 14px">',
    `<p>Job <b>${esc(r.job)}</b> (pipeline <b>${esc(visibleText(r.pipeline))}</b>) <b style="color: ${statusColor(r.status)}">${esc(r.status)}</b>.</p>`,
    table(factRows(r)),
  ];
  if (r.rejects.length > 0) {
    parts.push(`<p>${esc(rejectsHeading(r))}:</p>`, rejectsTable(r));
  }
  parts.push(table(whereRows(r)), '</body></html>');
  return parts.join('\n') + '\n';
}

/** Escapes text for an element body or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const esc = escapeHtml;
const cell = 'style="padding: 2px 12px 2px 0; vertical-align: top"';

function table(rows: [string, string][]): string {
  // A value's lines (a job error's diagnostics) as lines; control characters and bidi overrides escaped.
  const body = rows.map(([label, value]) => `<tr><th align="left" ${cell}>${esc(label)}</th><td ${cell}>${lines(value)}</td></tr>`);
  return `<table>\n${body.join('\n')}\n</table>`;
}

function rejectsTable(r: NotifyReport): string {
  const head = `<tr>${['Row', 'Code', 'Field', 'Message'].map((h) => `<th align="left" ${cell}>${h}</th>`).join('')}</tr>`;
  const rows = r.rejects.map((x) => {
    const values = [String(x.row), x.code, x.path || '-', x.message];
    return `<tr>${values.map((v) => `<td ${cell}>${esc(visibleText(v))}</td>`).join('')}</tr>`;
  });
  return `<table>\n${head}\n${rows.join('\n')}\n</table>`;
}

function lines(value: string): string {
  return terminalLines(value).split('\n').map(esc).join('<br>');
}

function statusColor(status: NotifyReport['status']): string {
  return status === 'succeeded' ? '#1a7f37' : status === 'failed' ? '#cf222e' : '#9a6700';
}

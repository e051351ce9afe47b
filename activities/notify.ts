import { existsSync } from 'node:fs';
import { sendEmail } from '../src/notify/email.js';
import { readFirstRejects } from '../src/notify/first-rejects.js';
import { emailMessage, webhookBody } from '../src/notify/message.js';
import { NotifyError } from '../src/notify/notify-error.js';
import { notifyReport, type NotifyReport } from '../src/notify/report.js';
import { postWebhook } from '../src/notify/webhook.js';
import type { NotifyInput, NotifyOutput } from '../src/plan/activity-types.js';
import { durationMs } from '../src/plan/job-plan.js';
import type { NotifyEntry } from '../src/spec/pipeline-schema.js';
import type { ActivityDeps } from './deps.js';
import { rejectsPath } from './job-files.js';

/** How many rejected records a notification quotes; the full report stays in the job folder. */
const FIRST_REJECTS = 5;

type EmailEntry = Extract<NotifyEntry, { email: unknown }>;
type WebhookEntry = Extract<NotifyEntry, { webhook: unknown }>;

/**
 * Sends one completion notification (email or webhook) of the job in `jobDir`. Throws a
 * NotifyError whose `retryable` tells the engine whether trying again later may help; the
 * orchestration records a failure and leaves the job's status alone.
 */
export async function notify(deps: ActivityDeps, input: NotifyInput): Promise<NotifyOutput> {
  const label = `notify[${input.index}]`;
  const { plan } = input;
  const entry = plan.notify[input.index];
  if (!entry) throw new NotifyError(`${label}: the job's plan has no notification ${input.index}`, { retryable: false });
  const file = rejectsPath(plan.jobDir);
  const rejectsFile = existsSync(file) ? file : null;
  const rejects = rejectsFile ? await readFirstRejects(rejectsFile, FIRST_REJECTS) : [];
  const mask = (text: string): string => deps.masker.mask(text);
  // Activity progress (heartbeats) exists only on Temporal workers: there the report says engine temporal.
  const engine = deps.progress ? { engine: 'temporal' } : {};
  const report = notifyReport(input, plan, { endedAt: new Date().toISOString(), rejectsFile, rejects, mask, ...engine });
  const detail = 'email' in entry ? await email(deps, label, entry, report) : await webhook(deps, label, entry, report);
  return { index: input.index, ok: true, detail };
}

async function email(deps: ActivityDeps, label: string, entry: EmailEntry, report: NotifyReport): Promise<string> {
  if (!deps.smtp) throw new NotifyError(`${label}: email needs notify.smtp in ferry.yaml`, { retryable: false });
  const to = typeof entry.email === 'string' ? [entry.email] : entry.email;
  const message = emailMessage(report);
  return sendEmail({ url: deps.smtp.url, from: deps.smtp.from, to, message, deliveryId: report.delivery, label, mask: (t) => deps.masker.mask(t) });
}

async function webhook(deps: ActivityDeps, label: string, entry: WebhookEntry, report: NotifyReport): Promise<string> {
  const secret = entry.secret_env === undefined ? undefined : process.env[entry.secret_env];
  if (entry.secret_env !== undefined && !secret) {
    // Never sent unsigned: a receiver that checks signatures would drop it, one that does not would be misled.
    throw new NotifyError(`${label}: webhook secret_env ${entry.secret_env} is not set in the environment`, { retryable: false });
  }
  return postWebhook({
    url: entry.webhook,
    body: JSON.stringify(webhookBody(report)),
    deliveryId: report.delivery,
    ...(secret ? { secret } : {}),
    ...(entry.timeout !== undefined ? { timeoutMs: durationMs(entry.timeout) } : {}),
    label,
    mask: (t) => deps.masker.mask(t),
  });
}

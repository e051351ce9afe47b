import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { JobPlan, JobProject } from '../../plan/job-plan.js';
import type { Project } from '../../project/load-config.js';
import { ownField } from '../../validation/own-field.js';
import { fileSubmissionKey, sha256File, submissionKey } from '../submission.js';
import { projectRelative } from './portable-plan.js';

/**
 * Which project a process serves, as the submitter of a job and the worker that plans it compare
 * it. Two projects on one Temporal server that share a task queue would otherwise run each other's
 * jobs against their own files and stores (the worker resolves a plan's paths in its own folder).
 *
 * Content, not location: a worker on another machine runs a checkout of the same project in a
 * folder of any path or name, so neither goes into the comparison; the folder name only names the
 * project in messages. `config` digests where the project's jobs land — the state dir and every
 * connection's store (PostgreSQL: the database name and table; never a host, role or password)
 * — with SQLite paths and the state dir as a portable plan has them (relative inside the project).
 * Only digests reach Temporal history.
 */
export type ProjectIdentity = Pick<JobProject, 'name' | 'config'>;

export function projectIdentity(project: Project): ProjectIdentity {
  const { connections } = project.config;
  const names = Object.keys(connections).sort();
  const stores = names.map((name) => {
    const c = ownField(connections, name);
    if (c === undefined) return [name, null];
    // A SQLite path as a portable plan has it (relative inside the project, wherever the copy sits).
    // A PostgreSQL database by its name only: the submitter and the workers may well reach one
    // server by other host names, ports or roles (a tunnel, another DNS name, ${DATABASE_URL}
    // set per machine), and refusing every job for that would break a working deployment.
    return [
      name,
      c.driver === 'sqlite' ? `sqlite ${projectRelative(c.path, project.rootDir)} table ${c.table}` : `${c.driver} ${databaseName(c.url)} table ${c.table}`,
    ];
  });
  const config = sha256(JSON.stringify({ stateDir: projectRelative(project.stateDir, project.rootDir), stores }));
  return { name: basename(project.rootDir), config };
}

/**
 * A job as its submitter starts it on Temporal: the submission key (submission.ts) and the plan's
 * `project`, the source file read once for both.
 */
export async function submissionOf(plan: JobPlan, identity: ProjectIdentity): Promise<{ key: string; project: JobProject }> {
  const source = plan.source.type === 'file' ? await sha256File(plan.source.path) : undefined;
  const key = source === undefined ? await submissionKey(plan) : fileSubmissionKey(plan, source);
  const pipeline = pipelineDigest(plan.pipelineFile);
  return { key, project: { ...identity, ...(pipeline ? { pipeline } : {}), ...(source ? { source } : {}) } };
}

/**
 * The sha256 of a pipeline file's bytes; undefined when it cannot be read. Both ends hash the file
 * as it is when the job starts (not the plan's `pipelineHash`: a rollback keeps its original job's).
 */
export function pipelineDigest(path: string): string | undefined {
  try {
    return createHash('sha256').update(readFileSync(path)).digest('hex');
  } catch {
    return undefined;
  }
}

/**
 * The task queue `ferry init --engine temporal` gives a project: `ferry-` and its folder name in
 * lower case, other characters than letters, digits (of any script: a folder named 顧客 is not
 * `ferry`), `-`, `_` and `.` as `-`, so that two projects on one server do not share a queue unless told to.
 */
export function projectTaskQueue(folderName: string): string {
  const name = folderName
    .toLowerCase()
    .replace(/[^\p{L}\p{N}._-]+/gu, '-')
    .replace(/^[-.]+|[-.]+$/g, '')
    .slice(0, 100);
  return name ? `ferry-${name}` : 'ferry';
}

function databaseName(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  } catch {
    return '(a URL that does not parse)';
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

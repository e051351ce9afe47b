import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { isInsideFolder } from '../project/inside-folder.js';
import { JobRefused, type JobInfo } from './engine.js';

/**
 * Why a job's files cannot be read: its folder (or the file) is `gone`, or it is `outside` the
 * state dir's jobs folder. The console answers 404 and 403; the CLI exits 1 with the message.
 */
export class JobFolderRefused extends JobRefused {
  constructor(
    message: string,
    readonly reason: 'gone' | 'outside',
  ) {
    super(message);
  }
}

/** Where a command reads a job's files from, and how its messages show a path (relative to where the reader is). */
export interface JobFiles {
  stateDir: string;
  shown: (path: string) => string;
}

/** The job as these checks need it: its id, its folder as the engine recorded it, and whether it got as far as making it. */
export type FolderJob = Pick<JobInfo, 'id' | 'jobDir' | 'status' | 'artifacts' | 'summary'>;

/**
 * The real path (links resolved) of the job's folder, refused unless it is inside the state dir's
 * jobs folder. The folder comes from the engine's record of the job: a journal row in SQLite, or on
 * Temporal the workflow's memo and input, which whoever can start a workflow in the namespace
 * writes; so a record naming a folder elsewhere (or a job folder replaced by a link leading out)
 * would have the console serve, and `jobs errors`, `rollback` and `retry-rejects` read, files from
 * there.
 */
export function jobFolder(job: FolderJob, { stateDir, shown }: JobFiles): string {
  // Another job's folder (`jobs/<other id>`, `jobs/<id>/../<other id>`) is inside too, but not this job's.
  if (isInsideFolder(resolve(stateDir, 'jobs'), resolve(job.jobDir)) && !isOwnJobFolder(stateDir, job.id, job.jobDir)) {
    throw new JobFolderRefused(`refused: job ${job.id}'s record names ${shown(resolve(job.jobDir))}, which is not its folder`, 'outside');
  }
  const jobs = realPath(join(stateDir, 'jobs'));
  const dir = realPath(job.jobDir);
  if (jobs === undefined || dir === undefined) throw new JobFolderRefused(folderGone(job, shown), 'gone');
  if (!isInsideFolder(jobs, dir)) {
    const named = resolve(job.jobDir);
    const why = isInsideFolder(resolve(stateDir, 'jobs'), named) ? `${shown(named)} is a link leading out` : `its record names ${shown(named)}`;
    throw new JobFolderRefused(
      `refused: the folder of job ${job.id} is not inside the state dir's jobs folder (${shown(join(stateDir, 'jobs'))}): ${why}`,
      'outside',
    );
  }
  return dir;
}

/**
 * Whether `jobDir` is the folder Ferry gives job `id`: `<state dir>/jobs/<id>`, by the paths as
 * written. A job's record is all that names its folder (on Temporal, a memo whoever can start a
 * workflow writes): one naming another job's folder had `jobs prune` delete that job's files, past
 * every rule that keeps them, and an id such as `a/../b` names the folder of job b.
 */
export function isOwnJobFolder(stateDir: string, id: string, jobDir: string): boolean {
  const jobs = resolve(stateDir, 'jobs');
  const dir = resolve(jobs, jobDir);
  return basename(dir) === id && dirname(dir) === jobs;
}

/**
 * The real path of `file`, one of the job's files, refused unless it is inside the job's checked
 * folder (`jobFolder`); undefined when the folder is there but the file is not.
 */
export function jobFile(job: FolderJob, file: string, files: JobFiles): string | undefined {
  const dir = jobFolder(job, files);
  const real = realPath(file);
  if (real === undefined) return undefined;
  if (!isInsideFolder(dir, real)) throw new JobFolderRefused(`refused: ${basename(file)} is not inside the folder of job ${job.id}`, 'outside');
  return real;
}

/**
 * A job's folder that is not there. A job that ended with artifacts, or counted records, had made
 * it (at planning): it was deleted since. One that did neither may have ended before planning.
 */
function folderGone(job: FolderJob, shown: (path: string) => string): string {
  const where = shown(job.jobDir);
  if (job.status === 'running' || job.status === 'pending') return `job ${job.id} has no folder yet (${where}): it is still planning`;
  const made = job.artifacts !== null || (job.summary?.total ?? 0) > 0;
  if (made) return `the folder of job ${job.id} is gone (${where}): it was deleted, with its reports and backup`;
  return `job ${job.id} has no folder (${where}): it ended before planning made one, or the folder was deleted`;
}

/** The path with links resolved; undefined when it (or a folder on the way) does not exist. */
function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}

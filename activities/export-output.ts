import { createHash } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, statSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { failpoint } from '../src/failpoints.js';
import type { FileTargetPlan, JobPlan } from '../src/plan/job-plan.js';
import { notRegularFile, realPathOf, type GuardedFile } from '../src/project/target-path.js';
import { appendFile, CHUNK_BYTES } from '../src/sources/byte-batches.js';
import { targetFor } from '../src/targets/index.js';
import { dropOutputParts, isAssembled, outputPartPath } from './export-files.js';
import { namingWrite } from './write-refused.js';

/**
 * Assembles the export file from the batches' parts, in batch order: the format's header, the
 * parts with the separator between non-empty ones, the footer. It is written to a temporary name
 * in the target's own folder (so the rename cannot cross file systems), synced, then renamed: the
 * target path holds either nothing new or the whole file, never a partial one. The temporary name
 * is the job's, so a finalize resumed after a crash overwrites its own leftover. Once renamed, the
 * parts are deleted (a whole export is not kept twice); a failed or cancelled job never gets here,
 * so what a resume needs stays. Safe to repeat.
 */
export async function writeExportFile(plan: JobPlan, batches: number, kept: KeptFiles): Promise<string> {
  if (plan.target.type !== 'file') throw new Error(`[job ${plan.jobId}] not an export`);
  const { path, format } = plan.target;
  if (!isAssembled(plan.jobDir)) await assemble(plan, batches, plan.target, kept);
  dropOutputParts(plan.jobDir, batches, format, path);
  return path;
}

/**
 * Removes what a killed assembly of this export left beside its target (its temporary file, a whole
 * or part copy of the export): for a job that ended without its file, failed or cancelled. A resume
 * writes that file anew, so nothing is lost. Never throws: a cleanup must not fail the job's end.
 */
export function removeAssemblyLeftover(plan: JobPlan): void {
  if (plan.target.type !== 'file') return;
  try {
    const path = realPathOf(resolve(plan.target.path));
    rmSync(join(dirname(path), partialName(basename(path), plan.jobId)), { force: true });
  } catch {
    // a path that cannot be resolved now holds no leftover of ours
  }
}

/**
 * What an export must never replace, however its path came to name it: the state dir (journal,
 * job files, the default store) and the files validate guards (the stores, ferry.yaml, the
 * pipeline). Validate sees the path as written; a `{date}` or `{job}` path, and a symlink made or
 * changed while the job ran, are known only here.
 */
export interface KeptFiles {
  stateDir: string;
  files: readonly GuardedFile[];
}

async function assemble(plan: JobPlan, batches: number, { path: named, format, escapeFormulas }: FileTargetPlan, kept: KeptFiles): Promise<void> {
  const target = targetFor(format);
  // A target that is a symlink is followed: the file it points at is the one replaced (atomically,
  // from its own folder), and the link stays. Renaming over the link itself replaced the link with
  // a regular file and left its target as it was. Validation already guards the real path.
  const path = realPathOf(resolve(named));
  refuseLongNames(plan, named, path);
  // A crash's leftover is this job's alone: removed before any check can fail the job, which left
  // it (a whole or part copy of the export) beside a path the job will not write. Removed first
  // also so the mode the file is opened with applies.
  const tmp = join(dirname(path), partialName(basename(path), plan.jobId));
  rmSync(tmp, { force: true });
  // Before a folder is made: a path the job may not write gets none.
  const replaced = existingTarget(plan, named, path, kept);
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    // EEXIST or ENOTDIR: a file stands where a folder of the path should be (validate says which).
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`cannot create the folder ${dirname(path)} for the export (${code}): a file may stand where a folder of its path should be`, {
      cause: err,
    });
  }
  // A file replaced keeps who may read it: the new one is made private, and given the old one's
  // owner and mode before the rename. Made with the usual mode, it was readable by whoever the
  // umask lets read (0644) while it was written and after: an export kept 0600 or 0640 became
  // world-readable.
  const out = await open(tmp, 'w', replaced ? 0o600 : 0o666).catch((err: unknown) => {
    throw namingWrite(err, `the export file ${path}`, plan.jobId);
  });
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  try {
    await out.write(await target.header({ headers: Object.keys(plan.columns ?? {}), escapeFormulas }));
    let empty = true;
    for (let batch = 0; batch < batches; batch++) {
      const part = outputPartPath(plan.jobDir, batch, format);
      if (partSize(plan, part, batch) === 0) continue;
      if (!empty) await out.write(target.separator);
      failpoint('finalize-output');
      await appendFile(out, part, buffer);
      empty = false;
    }
    await out.write(target.footer(empty));
    if (replaced) await keepAccess(out, replaced);
    await out.sync();
  } catch (err) {
    // A write that failed (a full disk) leaves no partial file holding the space a retry needs; a
    // crash leaves it for the resume, which overwrites it.
    await out.close().catch(() => undefined);
    rmSync(tmp, { force: true });
    throw namingWrite(err, `the export file ${path} (as ${basename(tmp)} until it is whole)`, plan.jobId);
  }
  await out.close();
  try {
    existingTarget(plan, named, path, kept);
  } catch (err) {
    rmSync(tmp, { force: true }); // a whole copy of the export, next to a path it may never go to
    throw err;
  }
  try {
    renameSync(tmp, path);
  } catch (err) {
    // The parts are still there for a resume; a whole copy under a hidden name is not left behind.
    rmSync(tmp, { force: true });
    throw namingWrite(err, `the export file ${path}`, plan.jobId);
  }
}

/** The longest file name most file systems take (ext4, XFS, APFS: 255 bytes). */
const NAME_MAX = 255;

/**
 * Refuses a path with a name (the file's or a folder's) longer than NAME_MAX bytes, before
 * anything is written: mkdir said ENAMETOOLONG as "a file may stand where a folder should be",
 * and the rename failed with a raw ENAMETOOLONG, leaving the whole export under its temporary name.
 */
function refuseLongNames(plan: JobPlan, named: string, path: string): void {
  for (const name of path.split(sep)) {
    const bytes = Buffer.byteLength(name);
    if (bytes > NAME_MAX) {
      throw new Error(
        `[job ${plan.jobId}] refusing to write ${named}: the name ${name} is ${bytes} bytes long, and a file system takes at most ${NAME_MAX}; choose a shorter one`,
      );
    }
  }
}

/**
 * The temporary name of the export file `name`: `.name.<job>.partial`, or, where that is longer
 * than a file name may be (a 250-byte name is valid, and a job id adds 40 bytes and more), one
 * made of a hash of both, so the export is not failed with ENAMETOOLONG once every page is done.
 * The same for every try of the job: a resumed finalize overwrites its own leftover.
 */
export function partialName(name: string, jobId: string): string {
  const plain = `.${name}.${jobId}.partial`;
  if (Buffer.byteLength(plain) <= NAME_MAX) return plain;
  return `.ferry-${createHash('sha256').update(`${name}\0${jobId}`).digest('hex').slice(0, 32)}.partial`;
}

/**
 * The regular file the export replaces, or undefined when there is none; refused when the path
 * holds something else. Looked at before the file is written and again, the last look, before the
 * rename: a `{date}`/`{job}` target is only known now, and the path may have changed since
 * validation. `named` is stat'ed as well as its real path: a link the kernel resolves itself
 * (/dev/stdout, /proc/self/fd/1) reads as "pipe:[123]", no path at all, while stat sees the pipe.
 */
function existingTarget(plan: JobPlan, named: string, path: string, kept: KeptFiles): Stats | undefined {
  const seen = statOrUndefined(resolve(named));
  const real = statOrUndefined(path);
  refuseKept(plan, named, path, real, kept);
  const stats = seen ?? real;
  if (!stats) return undefined; // nothing there (or a dangling link, which the rename replaces): the usual case
  if (!stats.isFile()) throw new Error(`[job ${plan.jobId}] refusing to write ${named}: it ${notRegularFile(stats)}`);
  if (!real || real.ino !== stats.ino || real.dev !== stats.dev) {
    throw new Error(
      `[job ${plan.jobId}] refusing to write ${named}: it is a link the system resolves itself (such as /dev/stdout), so which file it names cannot be told`,
    );
  }
  return real;
}

/**
 * Refuses a real path inside the state dir or naming a kept file (by path, or by inode: a hard
 * link). `{date}` made a link named for today, pointing at the store, pass validate, and the
 * rename then replaced the store with the export.
 */
function refuseKept(plan: JobPlan, named: string, path: string, stats: Stats | undefined, kept: KeptFiles): void {
  const refuse = (why: string): never => {
    throw new Error(`[job ${plan.jobId}] refusing to write ${named}: it ${why}; choose another target.file`);
  };
  const state = realPathOf(resolve(kept.stateDir));
  // The job's own folder is its own to write: the console's export preview writes its file there.
  const inOwnFolder = path.startsWith(realPathOf(resolve(plan.jobDir)) + sep);
  if (!inOwnFolder && (path === state || path.startsWith(state + sep))) refuse(`is inside the state dir ${state}, which holds the journal and the jobs' files`);
  for (const file of kept.files) {
    const real = realPathOf(resolve(file.path));
    if (real === path) refuse(`is ${file.what}`);
    const other = stats && statOrUndefined(real);
    if (other && other.ino === stats.ino && other.dev === stats.dev) refuse(`is ${file.what} (the same file under another name)`);
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Gives the new file the replaced one's owner and permission bits (set-id bits never). Where the
 * owner cannot be kept (not root), the group is tried alone; where that fails too, the group's
 * bits are dropped, so no one gains access the old file did not give them.
 */
async function keepAccess(out: FileHandle, old: Stats): Promise<void> {
  let mode = old.mode & 0o777;
  const ours = await out.stat();
  if (ours.uid !== old.uid || ours.gid !== old.gid) {
    const kept = await out
      .chown(old.uid, old.gid)
      .then(() => true)
      .catch(() =>
        ours.gid === old.gid
          ? false
          : out.chown(-1, old.gid).then(
              () => true,
              () => false,
            ),
      );
    if (!kept && ours.gid !== old.gid) mode &= ~0o070;
  }
  await out.chmod(mode);
}

/** Every batch of a succeeded job wrote its part; a missing one means the job folder was tampered with. */
function partSize(plan: JobPlan, part: string, batch: number): number {
  try {
    return statSync(part).size;
  } catch {
    throw new Error(`[job ${plan.jobId}] the output part of batch ${batch} is missing (${part}); the export cannot be assembled`);
  }
}

import { isAbsolute, relative, sep } from 'node:path';

/**
 * Whether `path` lies inside `folder`, by the paths as written (links are not followed: resolve
 * them first where that matters); `orSame` also counts the folder itself. The path is outside only
 * when the relative path from the folder climbs out (`..`, `../…`) or is absolute (another drive):
 * a name that merely starts with two dots (`..x`, a job of pipeline file `..x.yaml`) is inside.
 */
export function isInsideFolder(folder: string, path: string, options: { orSame?: boolean } = {}): boolean {
  const rel = relative(folder, path);
  if (rel === '') return options.orSame === true;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { editDistance } from './closest-name.js';
import { pipelineSchema } from './pipeline-schema.js';

/**
 * Keys that tell a Ferry pipeline: every top-level key of one except `name` and `description`,
 * which a GitHub workflow, a docker-compose file or an OpenAPI document have too.
 */
const PIPELINE_KEYS = Object.keys(pipelineSchema.shape).filter((key) => key !== 'name' && key !== 'description');

/**
 * Why a YAML file found under pipelines/ is some other tool's file (a GitHub workflow, a
 * docker-compose file, a Kubernetes manifest, an Ansible playbook) and not a pipeline, or
 * undefined when it may be one. `ferry validate` listed such a file as an invalid pipeline, with a
 * schema error per key. A file counts as another tool's only when nothing in it is a pipeline's:
 * its top level is a list, or a map none of whose keys is a pipeline key or a typo of one
 * (`sourse:`, `taget:` are a pipeline with mistakes, and are checked as one). Empty files and
 * scalars are no other tool's either: they are reported as pipelines missing source and target.
 * Only the first document is read, and only its keys: no alias is expanded.
 */
export function foreignYaml(text: string): string | undefined {
  let contents: unknown;
  try {
    contents = parseDocument(text, { uniqueKeys: false }).contents;
  } catch {
    return undefined;
  }
  if (isSeq(contents)) return 'its top level is a list, and a pipeline is a map of source, target and columns';
  if (!isMap(contents)) return undefined;
  const keys = contents.items.map((pair) => (isScalar(pair.key) ? pair.key.value : undefined));
  if (keys.some((key) => typeof key !== 'string' || PIPELINE_KEYS.some((known) => nearKey(key, known)))) return undefined;
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  return `it has neither source nor target, nor any other key of a pipeline (its keys: ${shown})`;
}

/** The key or a typo of it: separators and case ignored, an edit per 4 characters (closest-name.ts's rule). */
function nearKey(key: string, known: string): boolean {
  const a = key.toLowerCase().replace(/[\s_\-.]+/g, '');
  const b = known.replace(/_/g, '');
  const allowed = Math.max(1, Math.floor(b.length / 4));
  return Math.abs(a.length - b.length) <= allowed && editDistance(a, b) <= allowed;
}

import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { editDistance } from './closest-name.js';
import { pipelineSchema } from './pipeline-schema.js';

/**
 * Keys that tell a Ferry pipeline: every top-level key of one except `name` and `description`,
 * which a GitHub workflow, a docker-compose file or an OpenAPI document have too.
 */
const PIPELINE_KEYS = Object.keys(pipelineSchema.shape).filter((key) => key !== 'name' && key !== 'description');

/** What a found file would be to Ferry: each kind is told by its keys and named in the reasons. */
export type FerryFileKind = 'pipeline' | 'test';

const KINDS: Record<FerryFileKind, { keys: string[]; list: string; noKey: string }> = {
  pipeline: {
    keys: PIPELINE_KEYS,
    list: 'its top level is a list, and a pipeline is a map of source, target and columns',
    noKey: 'it has neither source nor target, nor any other key of a pipeline',
  },
  // A pipeline's keys too: a pipeline saved under a test file's name is Ferry's, and its error says so.
  test: {
    keys: ['tests', ...PIPELINE_KEYS],
    list: 'its top level is a list, and a test file is a map holding tests:',
    noKey: 'it has no tests: key, nor any other key of a Ferry file',
  },
};

/**
 * Why a YAML file found under pipelines/ is some other tool's file (a GitHub workflow, a
 * docker-compose file, a Kubernetes manifest, an Ansible playbook) and not a pipeline (or, with
 * `kind: 'test'`, not a pipeline's test file), or undefined when it may be one. `ferry validate`
 * listed such a file as an invalid pipeline, with a schema error per key. A file counts as another
 * tool's only when nothing in it is Ferry's: its top level is a list, or a map none of whose keys
 * is a key of the kind or a typo of one (`sourse:`, `taget:` are a pipeline with mistakes, and are
 * checked as one). Empty files and scalars are no other tool's either: they are reported as
 * pipelines missing source and target. Nor is a file YAML cannot read whole: a pipeline with an
 * indentation slip (`name: x` then `  source:` under it) reads as a map of `name` alone, and was
 * skipped as another tool's while validate said ok. Only the first document is read (a manifest
 * holds several), and only its keys: no alias is expanded.
 */
export function foreignYaml(text: string, kind: FerryFileKind = 'pipeline'): string | undefined {
  let contents: unknown;
  try {
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.some((error) => error.code !== 'MULTIPLE_DOCS')) return undefined;
    contents = doc.contents;
  } catch {
    return undefined;
  }
  const { keys: known, list, noKey } = KINDS[kind];
  if (isSeq(contents)) return list;
  if (!isMap(contents)) return undefined;
  const keys = contents.items.map((pair) => (isScalar(pair.key) ? pair.key.value : undefined));
  // A merge key (`<<: *base`) brings in keys unseen here, maybe source and target: the load
  // refuses it with its reason, where a skip would have passed the pipeline over without a word.
  if (keys.some((key) => typeof key !== 'string' || key === '<<' || known.some((k) => nearKey(key, k)))) return undefined;
  const shown = keys.slice(0, 5).join(', ') + (keys.length > 5 ? ', …' : '');
  return `${noKey} (its keys: ${shown})`;
}

/** The key or a typo of it: separators and case ignored, an edit per 4 characters (closest-name.ts's rule). */
function nearKey(key: string, known: string): boolean {
  const a = key.toLowerCase().replace(/[\s_\-.]+/g, '');
  const b = known.replace(/_/g, '');
  const allowed = Math.max(1, Math.floor(b.length / 4));
  return Math.abs(a.length - b.length) <= allowed && editDistance(a, b) <= allowed;
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema, pipelineJsonSchema } from '../../../src/spec/json-schemas.js';
import { referenceMarkdown, undescribedKeys } from '../../../src/spec/reference-doc.js';
import { repoRoot } from '../../helpers/cli.js';

const committed = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
const stale = (path: string): string => `${path} is stale: run \`npm run docs\` and commit the result`;

describe('the generated reference and JSON Schemas', () => {
  it('describe every key of the pipeline and ferry.yaml formats', () => {
    expect(undescribedKeys()).toEqual([]);
  });

  it('are committed as generated from the current zod schemas', () => {
    expect(committed('docs/pipeline-reference.md'), stale('docs/pipeline-reference.md')).toBe(referenceMarkdown());
    expect(JSON.parse(committed('schema/pipeline.schema.json')), stale('schema/pipeline.schema.json')).toEqual(pipelineJsonSchema());
    expect(JSON.parse(committed('schema/config.schema.json')), stale('schema/config.schema.json')).toEqual(configJsonSchema());
  });

  it('name each key with its type and default', () => {
    const reference = referenceMarkdown();
    expect(reference).toContain('| `upsert` | boolean | `false` | true: update the users that exist');
    expect(reference).toContain('### `connections.<name> (a PostgreSQL table)`');
    expect(reference).toContain('| `pool` | integer 1–100 | `4` |');
  });
});

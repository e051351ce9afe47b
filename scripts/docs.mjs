// `npm run docs` (after the build): writes the generated reference and JSON Schemas from the
// compiled zod schemas. test/unit/docs/reference.test.ts fails when a committed copy is stale.
import { writeFileSync } from 'node:fs';

const dist = new URL(`../${process.env.FERRY_DIST ?? 'dist'}/src/spec/`, import.meta.url);
const { referenceMarkdown } = await import(new URL('reference-doc.js', dist).href);
const { configJsonSchema, pipelineJsonSchema } = await import(new URL('json-schemas.js', dist).href);

const root = new URL('../', import.meta.url);
const files = {
  'docs/pipeline-reference.md': referenceMarkdown(),
  'schema/pipeline.schema.json': JSON.stringify(pipelineJsonSchema(), null, 2) + '\n',
  'schema/config.schema.json': JSON.stringify(configJsonSchema(), null, 2) + '\n',
};
for (const [path, text] of Object.entries(files)) {
  writeFileSync(new URL(path, root), text);
  console.log(`wrote ${path}`);
}

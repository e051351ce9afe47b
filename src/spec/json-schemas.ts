import { z } from 'zod';
import { configSchema } from './config-schema.js';
import { pipelineSchema } from './pipeline-schema.js';

/**
 * The JSON Schemas of the two file formats, for editors (yaml-language-server) and
 * `ferry schema`; copies are committed under schema/ and shipped in the package. The input side
 * of the zod schemas: defaults make keys optional. Each key's `.describe()` text becomes its
 * `description`, which editors show on hover and completion.
 */
export function pipelineJsonSchema(): Record<string, unknown> {
  return { ...z.toJSONSchema(pipelineSchema, { io: 'input', target: 'draft-7' }), title: 'Ferry pipeline', $id: 'https://ferry.dev/schema/pipeline.json' };
}

export function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(configSchema, { io: 'input', target: 'draft-7' }),
    title: 'Ferry project settings (ferry.yaml)',
    $id: 'https://ferry.dev/schema/config.json',
  };
}

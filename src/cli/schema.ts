import { z } from 'zod';
import { pipelineSchema } from '../spec/pipeline-schema.js';
import type { CliContext } from './context.js';

/** `ferry schema`: the pipeline format as JSON Schema, for editor completion and validation. */
export function schemaCommand(ctx: CliContext): void {
  const schema = z.toJSONSchema(pipelineSchema, { io: 'input', target: 'draft-7' });
  ctx.stdout(JSON.stringify({ ...schema, title: 'Ferry pipeline', $id: 'https://ferry.dev/schema/pipeline.json' }, null, 2));
}

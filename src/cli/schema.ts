import { configJsonSchema, pipelineJsonSchema } from '../spec/json-schemas.js';
import type { CliContext } from './context.js';

/** `ferry schema [--config]`: the pipeline format (or ferry.yaml's) as JSON Schema, for editor completion and validation. */
export function schemaCommand(ctx: CliContext, options: { config?: boolean } = {}): void {
  ctx.stdout(JSON.stringify(options.config ? configJsonSchema() : pipelineJsonSchema(), null, 2));
}

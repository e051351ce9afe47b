import { expect } from 'vitest';
import { createMapper, type MappingContext } from '../../src/mapping/mapper.js';

/**
 * Maps `{ c: expr }` over an empty record compiled, and again interpreted only, expecting the
 * compiler to take the column and both paths to give the same result; returns that result.
 */
export async function mapBothPaths(expr: string, ctx: MappingContext) {
  const compiled = createMapper({ c: expr }, ctx);
  expect(compiled.plan.compiled).toEqual(['c']);
  const result = await compiled.map({});
  expect(await createMapper({ c: expr }, ctx, undefined, { interpretOnly: true }).map({})).toEqual(result);
  return result;
}

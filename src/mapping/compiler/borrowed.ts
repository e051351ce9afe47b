import { jsonata } from '../jsonata-library.js';

/**
 * Some built-ins (picture-string formatting and date parsing) are large enough that porting them
 * would only risk divergence, and they are synchronous and pure in jsonata. Their implementations
 * are borrowed from the interpreter itself, read through its documented evaluation hook
 * (`Symbol.for('jsonata.__evaluate_entry')`, called synchronously with the environment). If a
 * jsonata version ever stops exposing them this way, they are simply not compiled.
 */

export type Implementation = (this: unknown, ...args: unknown[]) => unknown;

interface Definition {
  implementation?: unknown;
  signature?: unknown;
}

/** jsonata's parsed signature of a built-in: `validate` checks (and fixes up) a call's arguments as a direct call has them checked. */
export interface Signature {
  definition: string;
  validate(args: unknown[], context: unknown): unknown[];
}

interface Environment {
  lookup(name: string): unknown;
}

export function borrowImplementations(names: readonly string[], signatures?: Map<string, Signature>): Map<string, Implementation> {
  const found = new Map<string, Implementation>();
  try {
    const expr = jsonata('0');
    const hook = (_expr: unknown, _input: unknown, env: Environment) => {
      for (const name of names) {
        const def = env.lookup(name) as Definition | undefined;
        if (def && typeof def.implementation === 'function') found.set(name, def.implementation as Implementation);
        const signature = def?.signature as Partial<Signature> | undefined;
        if (signatures && typeof signature?.validate === 'function' && typeof signature.definition === 'string') signatures.set(name, signature as Signature);
      }
    };
    expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, hook);
    expr.evaluate(undefined).catch(() => undefined);
  } catch {
    // not available: these functions stay interpreted
  }
  return found;
}

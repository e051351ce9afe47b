import jsonata from 'jsonata';

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
}

interface Environment {
  lookup(name: string): unknown;
}

export function borrowImplementations(names: readonly string[]): Map<string, Implementation> {
  const found = new Map<string, Implementation>();
  try {
    const expr = jsonata('0');
    const hook = (_expr: unknown, _input: unknown, env: Environment) => {
      for (const name of names) {
        const def = env.lookup(name) as Definition | undefined;
        if (def && typeof def.implementation === 'function') found.set(name, def.implementation as Implementation);
      }
    };
    expr.assign(Symbol.for('jsonata.__evaluate_entry') as unknown as string, hook);
    expr.evaluate(undefined).catch(() => undefined);
  } catch {
    // not available: these functions stay interpreted
  }
  return found;
}

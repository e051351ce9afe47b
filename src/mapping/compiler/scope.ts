import { type Node, child } from './ast.js';
import { isBuiltin } from './builtins.js';
import { unsupported } from './unsupported.js';

/**
 * Variable frames, resolved at compile time. The interpreter looks variables up at run time
 * through a chain of frames (block, lambda call, bindings); a frame only has a variable once its
 * `:=` has run. So a reference resolves to the innermost frame that has bound the name by then,
 * and, when that is only known at run time (a lambda may be called before or after the bind), to
 * a check against the `UNBOUND` marker.
 */

export interface FrameVar {
  js: string;
  /** Bound only to lambdas: may be called, never used as a value. */
  fn: boolean;
  param: boolean;
  /** A `:=` for it has already run at the point being compiled. */
  bound: boolean;
  /** Bound to a lambda with a signature (whose errors name the variable it was last called by). */
  sig?: boolean;
}

export class Frame {
  readonly vars = new Map<string, FrameVar>();
  constructor(
    readonly parent: Frame | null,
    readonly kind: 'root' | 'block' | 'lambda',
  ) {}
}

/** Names that would shadow a built-in or the context are left to the interpreter. */
export function checkBindableName(name: unknown): string {
  if (typeof name !== 'string' || name === '' || name === '$') unsupported('binding the context variable');
  if (isBuiltin(name) || name === 'now' || name === 'millis') unsupported(`rebinding the built-in $${name}`);
  return name;
}

/** The variables a statement list binds (direct `:=` statements only), marked not yet bound. */
export function declareBinds(frame: Frame, statements: Node[], makeName: () => string): FrameVar[] {
  const declared: FrameVar[] = [];
  for (const statement of statements) {
    if (statement.type !== 'bind') continue;
    const name = checkBindableName(statement.lhs && !Array.isArray(statement.lhs) ? statement.lhs.value : undefined);
    const rhs = child(statement, 'rhs');
    const isLambda = rhs.type === 'lambda';
    const sig = isLambda && rhs.signature !== undefined;
    const existing = frame.vars.get(name);
    if (existing !== undefined) {
      if (existing.fn !== isLambda) unsupported(`$${name} is bound to both a function and a value`);
      existing.sig = existing.sig === true || sig;
      continue;
    }
    const v: FrameVar = { js: makeName(), fn: isLambda, param: false, bound: false, sig };
    frame.vars.set(name, v);
    declared.push(v);
  }
  return declared;
}

export type Resolution = { kind: 'var'; code: string; fn: boolean; dynamic: boolean; sig: boolean } | { kind: 'builtin' | 'free' };

/**
 * Resolves `$name` at this point. Crossing a lambda boundary means the reference runs later, at
 * call time, so a variable its frame has not bound yet is checked at run time.
 */
export function resolve(frame: Frame | null, name: string, freeCode: string, crossed = false): Resolution {
  for (let f = frame; f !== null; f = f.parent) {
    const v = f.vars.get(name);
    if (v !== undefined) {
      if (v.param || v.bound) return { kind: 'var', code: v.js, fn: v.fn, dynamic: false, sig: v.sig === true };
      if (crossed) {
        const outer = resolve(f.parent, name, freeCode, true);
        if (outer.kind !== 'var' && outer.kind !== 'free') unsupported(`$${name} may resolve to a built-in`);
        if (outer.kind === 'var' && outer.fn !== v.fn) unsupported(`$${name} is bound to both a function and a value`);
        const fallback = outer.kind === 'var' ? outer.code : freeCode;
        const sig = v.sig === true || (outer.kind === 'var' && outer.sig);
        return { kind: 'var', code: `(${v.js} !== $UNBOUND ? ${v.js} : ${fallback})`, fn: v.fn, dynamic: true, sig };
      }
    }
    if (f.kind === 'lambda') crossed = true;
  }
  return { kind: isBuiltin(name) || name === 'now' || name === 'millis' ? 'builtin' : 'free' };
}

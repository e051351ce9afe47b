import type { Node } from './ast.js';
import type { Emitter } from './emitter.js';
import type { RuntimeName } from './runtime.js';
import type { Frame } from './scope.js';

/** Where a node is being compiled. */
export interface Cx {
  readonly e: Emitter;
  /** Identifier holding the context value (`input` of the interpreter's `evaluate`). */
  readonly input: string;
  readonly frame: Frame;
  /** Inside a lambda body: the identifier of its caller-context parameter; null outside. */
  readonly lambdaCtx: string | null;
  /** A boolean saying whether `input` (that very identifier) is a plain record (`isPlainRecord`). */
  readonly record?: { input: string; flag: string };
}

/** The code generators the node-specific modules call back into (passed in, to avoid cycles). */
export interface Compiler {
  /** Emits code evaluating `node` like the interpreter's `evaluate`; returns the value's identifier. */
  gen(node: Node, cx: Cx): string;
  /** Emits a statement list in `frame` (binding its `:=` variables); returns the last value. */
  statements(statements: Node[], frame: Frame, cx: Cx): string;
}

/** A raw node result before `evaluate`'s tail; `seq` when it may be a sequence needing `norm`. */
export interface Ref {
  js: string;
  seq: boolean;
}

/** How generated code names a runtime member (bound once per compiled function). */
export function rt(name: RuntimeName): string {
  return `$${name}`;
}

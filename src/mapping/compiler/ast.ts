/**
 * The parts of jsonata's processed AST (`jsonata(expr).ast()`) the compiler reads. The parser's
 * output is untyped; these shapes mirror jsonata 2.x's `processAST`.
 */
export interface Filter {
  type: 'filter' | 'index';
  expr: Node;
}

export interface Node {
  type: string;
  value?: unknown;
  position?: number;
  // paths
  steps?: Node[];
  stages?: Filter[];
  predicate?: Filter[];
  keepArray?: boolean;
  keepSingletonArray?: boolean;
  consarray?: boolean;
  group?: { lhs: [Node, Node][] };
  focus?: string;
  index?: string;
  tuple?: boolean;
  ancestor?: unknown;
  seekingParent?: unknown;
  // operators
  lhs?: Node | [Node, Node][];
  rhs?: Node;
  expression?: Node;
  expressions?: Node[];
  // conditions
  condition?: Node;
  then?: Node;
  else?: Node;
  // functions and lambdas
  procedure?: Node;
  arguments?: Node[];
  body?: Node;
  signature?: unknown;
  thunk?: boolean;
}

/** The child node of a unary/binary/bind node; throws on a malformed tree (never expected). */
export function child(node: Node, key: 'rhs' | 'expression' | 'condition' | 'then' | 'procedure' | 'body'): Node {
  const value = node[key];
  if (value === undefined) throw new Error(`malformed JSONata AST: ${node.type} without ${key}`);
  return value;
}

export function lhsNode(node: Node): Node {
  const value = node.lhs;
  if (value === undefined || Array.isArray(value)) throw new Error(`malformed JSONata AST: ${node.type} without lhs`);
  return value;
}

export function pairs(node: Node): [Node, Node][] {
  const value = node.lhs;
  if (!Array.isArray(value)) throw new Error('malformed JSONata AST: object constructor without pairs');
  return value;
}

import { fail } from './errors.js';
import { isFunction } from './values.js';

/**
 * Function signatures (`<s-nn?:s>`), ported from jsonata's `signature.js`: the same regular
 * expression over type symbols decides which arguments match, when the context value stands in
 * for a missing one, when a value is wrapped into an array, and which T04xx error is raised.
 */

interface Param {
  regex: string;
  type: string;
  array?: boolean;
  context?: boolean;
  contextRegex?: RegExp;
  subtype?: string;
}

export interface Signature {
  definition: string;
  /** Returns the arguments to call the implementation with, or throws T0410/T0411/T0412. */
  validate(args: unknown[], context: unknown): unknown[];
}

const arraySignatureMapping: Record<string, string> = { a: 'arrays', b: 'booleans', f: 'functions', n: 'numbers', o: 'objects', s: 'strings' };

export function typeSymbol(value: unknown): string {
  if (isFunction(value)) return 'f';
  switch (typeof value) {
    case 'string':
      return 's';
    case 'number':
      return 'n';
    case 'boolean':
      return 'b';
    case 'object':
      return value === null ? 'l' : Array.isArray(value) ? 'a' : 'o';
    default:
      return 'm';
  }
}

function closingBracket(str: string, start: number, open: string, close: string): number {
  let depth = 1;
  let position = start;
  while (position < str.length) {
    position++;
    const symbol = str.charAt(position);
    if (symbol === close) {
      depth--;
      if (depth === 0) break;
    } else if (symbol === open) depth++;
  }
  return position;
}

function parseParams(signature: string): Param[] {
  const params: Param[] = [];
  let prev: Param | undefined;
  const push = (param: Param) => {
    params.push(param);
    prev = param;
  };
  for (let position = 1; position < signature.length; position++) {
    const symbol = signature.charAt(position);
    if (symbol === ':') break;
    if ('snblo'.includes(symbol)) push({ regex: `[${symbol}m]`, type: symbol });
    else if (symbol === 'a') push({ regex: '[asnblfom]', type: symbol, array: true });
    else if (symbol === 'f') push({ regex: 'f', type: symbol });
    else if (symbol === 'j') push({ regex: '[asnblom]', type: symbol });
    else if (symbol === 'x') push({ regex: '[asnblfom]', type: symbol });
    else if (symbol === '-' && prev) {
      prev.context = true;
      prev.contextRegex = new RegExp(prev.regex);
      prev.regex += '?';
    } else if ((symbol === '?' || symbol === '+') && prev) prev.regex += symbol;
    else if (symbol === '(') {
      const end = closingBracket(signature, position, '(', ')');
      const choice = signature.substring(position + 1, end);
      push({ regex: `[${choice}m]`, type: `(${choice})` });
      position = end;
    } else if (symbol === '<' && prev) {
      const end = closingBracket(signature, position, '<', '>');
      prev.subtype = signature.substring(position + 1, end);
      position = end;
    }
  }
  return params;
}

export function parseSignature(definition: string): Signature {
  const params = parseParams(definition);
  const regex = new RegExp(`^${params.map((param) => `(${param.regex})`).join('')}$`);
  return {
    definition,
    validate(args, context) {
      const supplied = args.map(typeSymbol).join('');
      const matched = regex.exec(supplied);
      if (!matched) throw validationError(params, args, supplied);
      const validated: unknown[] = [];
      let argIndex = 0;
      params.forEach((param, index) => {
        const match = matched[index + 1] ?? '';
        if (match === '' && param.context && param.contextRegex) {
          if (!param.contextRegex.test(typeSymbol(context))) throw fail('T0411', { value: context, index: argIndex + 1 });
          validated.push(context);
        } else if (match === '') {
          validated.push(args[argIndex]);
          argIndex++;
        } else {
          for (const single of match) validated.push(checkArg(param, single, match, args[argIndex], argIndex++));
        }
      });
      return validated;
    },
  };
}

/** One matched argument: arrays are type-checked against the subtype and singletons wrapped. */
function checkArg(param: Param, single: string, match: string, arg: unknown, argIndex: number): unknown {
  if (param.type !== 'a') return arg;
  if (single === 'm') return undefined;
  let arrayOK = true;
  if (param.subtype !== undefined) {
    if (single !== 'a' && match !== param.subtype) arrayOK = false;
    else if (single === 'a' && (arg as unknown[]).length > 0) {
      const items = arg as unknown[];
      const itemType = typeSymbol(items[0]);
      arrayOK = itemType === param.subtype.charAt(0) && items.filter((val) => typeSymbol(val) !== itemType).length === 0;
    }
  }
  if (!arrayOK) {
    throw fail('T0412', { value: arg, index: argIndex + 1, type: arraySignatureMapping[param.subtype ?? ''] });
  }
  return single !== 'a' ? [arg] : arg;
}

/** Finds the first argument the signature rejects, as jsonata's `throwValidationError`. */
function validationError(params: Param[], args: unknown[], supplied: string): unknown {
  let pattern = '^';
  let goodTo = 0;
  for (const param of params) {
    pattern += param.regex;
    const match = supplied.match(pattern);
    if (match === null) return fail('T0410', { value: args[goodTo], index: goodTo + 1 });
    goodTo = match[0].length;
  }
  return fail('T0410', { value: args[goodTo], index: goodTo + 1 });
}

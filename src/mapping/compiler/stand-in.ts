/**
 * `wrapped`, made to look like `impl` where jsonata reads a built-in's implementation: its `length`
 * (how many arguments a higher-order function passes it) and its parameter names, which partial
 * application (`$pad(?, 5)`) reads from the function's source to make a lambda of. A wrapper
 * `function (...args)` read as the parameter `$...args`, and every partial application of a
 * guarded built-in failed with "S0202: Expected ")", got ".."" (and jsonata's own
 * `string(arg, prettify = false)` with S0208); jsonata calls the wrapper with them by position.
 */
export function standIn<F>(wrapped: F, impl: (...args: never[]) => unknown): F {
  Object.defineProperty(wrapped, 'length', { value: impl.length });
  const source = `function (${parameterNames(impl).join(', ')}) { [wrapped] }`;
  Object.defineProperty(wrapped, 'toString', { value: () => source });
  return wrapped;
}

/** The names in the first parameter list of `impl`'s source, without defaults (`prettify = false`). */
export function parameterNames(impl: (...args: never[]) => unknown): string[] {
  const list = /\(([^)]*)\)/.exec(impl.toString())?.[1] ?? '';
  return list
    .split(',')
    .map((p) =>
      p
        .split('=')[0]!
        .replace(/^\s*\.\.\./, '')
        .trim(),
    )
    .filter((p) => /^[A-Za-z_]\w*$/.test(p));
}

/** Thrown while compiling when an expression uses something outside the compiled subset. */
export class Unsupported extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

export function unsupported(reason: string): never {
  throw new Unsupported(reason);
}

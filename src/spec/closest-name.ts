/**
 * The one "did you mean" of Ferry: unknown keys, target columns, functions and source fields all
 * suggest the closest known name, or nothing when none is close enough to be the intended one.
 */

/**
 * The known name closest to `word` (optimal string alignment distance, case and separators
 * ignored) if close enough to be a typo, else one that holds it or that it holds.
 */
export function closestName(word: string, known: Iterable<string>): string | undefined {
  const target = normalize(word);
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    if (name === word) continue;
    const candidate = normalize(name);
    const allowed = Math.max(1, Math.floor(candidate.length / 4));
    // the distance is at least the difference in length: most names are ruled out without a table
    if (Math.abs(candidate.length - target.length) > allowed) continue;
    const distance = candidate === target ? 0 : editDistance(candidate, target);
    if (distance > allowed) continue;
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best?.name ?? containing(target, known);
}

/** `Email Address` for a header of `E-mail`: a name (of 4+ characters) one holds whole is likely the one meant. */
function containing(target: string, known: Iterable<string>): string | undefined {
  let best: string | undefined;
  for (const name of known) {
    const candidate = normalize(name);
    const inside = candidate.length >= 4 && target.length >= 4 && (target.includes(candidate) || candidate.includes(target));
    if (inside && (best === undefined || candidate.length > normalize(best).length)) best = name;
  }
  return best;
}

/** ` (did you mean "phone_number"?)`, or an empty string. */
export function didYouMean(word: string, known: Iterable<string>, show: (name: string) => string = (name) => `"${name}"`): string {
  const near = closestName(word, known);
  return near === undefined ? '' : ` (did you mean ${show(near)}?)`;
}

/** `E-mail`, `e_mail` and `Email` differ only in case and separators: the same name to a person. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[\s_\-.]+/g, '');
}

/** Optimal string alignment distance: edits plus adjacent transpositions, the usual typo. */
export function editDistance(a: string, b: string): number {
  // three rows (the transposition looks two back), not a table per call: tens of thousands of
  // unknown keys each compared with every known name allocated a table apiece
  let before = new Uint32Array(b.length + 1);
  let previous = Uint32Array.from({ length: b.length + 1 }, (_, j) => j);
  let current = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    current[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, before[j - 2]! + 1);
      current[j] = best;
    }
    [before, previous, current] = [previous, current, before];
  }
  return previous[b.length]!;
}

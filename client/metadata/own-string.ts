/**
 * Strings kept in a model built from a stream must not be V8 "sliced strings": a slice of a chunk keeps the whole
 * chunk alive, so a model holding a few names from every chunk would pin the entire document in memory. Joining two
 * pieces of it writes the text into a new flat string of its own: some 30 bytes smaller per string than slicing a
 * prefixed copy (which keeps a sliced string and its flat parent).
 */
export function ownString(value: string): string {
  // Two non-empty parts: join returns a lone non-empty part as it is, sliced or not.
  return [value.slice(0, 1), value.slice(1)].join('');
}

/** Adds `key` as an own property even when it is `__proto__` (a plain assignment would replace the prototype). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/**
 * Strings kept in a model built from a stream must not be V8 "sliced strings": a slice of a chunk keeps the whole
 * chunk alive, so a model holding a few names from every chunk would pin the entire document in memory. Prefixing
 * forces a flat copy of the text; slicing the prefix off again yields a string whose parent is that copy only.
 */
export function ownString(value: string): string {
  return (' ' + value).slice(1);
}

/** Adds `key` as an own property even when it is `__proto__` (a plain assignment would replace the prototype). */
export function setOwn<T>(target: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

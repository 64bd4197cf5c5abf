/**
 * One Edm type's check: returns the canonical text of a valid value, or calls `fail` with the reason (which
 * throws a TypeError naming the column and the type).
 */
export type Check = (value: unknown, fail: (reason: string) => never) => string;

// Helpers for option objects with documented defaults.

/** Drops keys whose value is undefined so that `{ ...defaults, ...definedOnly(options) }` keeps the defaults. */
export function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

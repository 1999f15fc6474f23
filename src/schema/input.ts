/**
 * A GraphQL input object without its null and absent fields: in a filter, `null` and leaving a
 * field out both mean "no condition", and the domain filters only know the latter.
 */
export function givenFields<T extends object>(
  input: T | null | undefined,
): { [K in keyof T]?: Exclude<T[K], null> } {
  if (!input) return {};
  return Object.fromEntries(
    Object.entries(input).filter(([, value]) => value !== null && value !== undefined),
  ) as {
    [K in keyof T]?: Exclude<T[K], null>;
  };
}

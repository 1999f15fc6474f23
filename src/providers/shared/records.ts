import { z } from "zod";

/** Upstream ids come as strings or integers; the gateway keeps them as strings. */
export const upstreamId = z
  .union([z.string().regex(/^\d+$/), z.number().int().nonnegative()])
  .transform(String);

export const nullableString = z
  .string()
  .nullish()
  .transform((value) => value ?? null);

/** For write bodies: drops keys whose value is undefined, so a PATCH/PUT sends only what changed. */
export function definedEntries<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined)) as Partial<T>;
}

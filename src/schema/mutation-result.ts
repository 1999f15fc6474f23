import type { InterfaceRef, ObjectRef } from "@pothos/core";
import { ValidationError } from "../errors.ts";
import { type BuilderTypes, builder } from "./builder.ts";

/** `XSuccess { <field>: T! }`: a mutation's success member, holding the affected object. */
export function successType<Field extends string, Shape>(
  name: string,
  field: Field,
  type: ObjectRef<BuilderTypes, unknown, Shape> | InterfaceRef<BuilderTypes, unknown, Shape>,
) {
  return builder.objectRef<{ [K in Field]: Shape }>(name).implement({
    fields: (t) => ({
      [field]: t.field({
        type: type as ObjectRef<BuilderTypes, Shape>,
        resolve: (parent) => parent[field] as never,
      }),
    }),
  });
}

/**
 * In an update, null clears a field; a required field cannot be cleared, which the providers
 * report as "can't be blank". Refusing it here saves the upstream round trip.
 */
export function rejectClearedRequired<T extends Record<string, unknown>, K extends keyof T & string>(
  patch: T,
  ...required: K[]
): Omit<T, K> & { [P in K]?: Exclude<T[P], null> } {
  const cleared = required.filter((field) => patch[field] === null);
  if (cleared.length > 0) {
    throw new ValidationError(cleared.map((field) => ({ path: [field], message: "can't be blank" })));
  }
  return patch as Omit<T, K> & { [P in K]?: Exclude<T[P], null> };
}

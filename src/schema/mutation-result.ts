import type { InterfaceRef, ObjectRef } from "@pothos/core";
import type { RecordKind } from "../domain/common.ts";
import { BadUserInputError, ValidationError } from "../errors.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { decodeGlobalIdOf, encodeGlobalId } from "./global-id.ts";

/**
 * Why a success's record is nullable: reading the fields a client selects under it (a person's
 * contact, read again after the write) can fail after the write landed. Non-null, that failure
 * would null the whole response: the success and every other result of the document. (A field
 * with an upstream call of its own, such as a company's contact entries, is nullable itself and
 * fails alone: OWN_CALL_NULLABILITY in errors.ts.)
 */
export const WRITTEN_RECORD_DESCRIPTION =
  "The written record. Null only when reading what the query selects under it failed (the error is in `errors`): the write itself landed.";

/** What every written record has: enough to name it by global id. */
interface WrittenRecord {
  kind: RecordKind;
  id: string;
  contactId?: string;
}

/** A person's and a note's remote id is `contactId/id` (see global-id.ts). */
const globalIdOf = (record: WrittenRecord) =>
  encodeGlobalId(
    record.kind,
    record.kind === "ContactPerson" || record.kind === "ContactNote"
      ? `${record.contactId}/${record.id}`
      : record.id,
  );

/**
 * `XSuccess { <field>: T, <field>Id: ID! }`: a mutation's success member, holding the affected
 * object, and its id, which stays known when the object cannot be read back.
 */
export function successType<Field extends string, Shape extends WrittenRecord>(
  name: string,
  field: Field,
  type: ObjectRef<BuilderTypes, unknown, Shape> | InterfaceRef<BuilderTypes, unknown, Shape>,
) {
  return builder.objectRef<{ [K in Field]: Shape }>(name).implement({
    fields: (t) => ({
      [field]: t.field({
        type: type as ObjectRef<BuilderTypes, Shape>,
        nullable: true,
        description: WRITTEN_RECORD_DESCRIPTION,
        resolve: (parent) => parent[field] as never,
      }),
      [`${field}Id`]: t.id({
        description: `The global id of the ${field}: known even when reading the record back failed.`,
        resolve: (parent) => globalIdOf(parent[field]),
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

/** Where a mutation's id is: the argument, then the path inside it (["id"], ["input", "companyId"]). */
type IdPath = readonly [argument: string, ...path: string[]];

/**
 * Decodes an id argument of a mutation at `at`. A malformed or wrong-type id is a ValidationError
 * there, inside the result union, so the other results of the same document stand (a top-level
 * error would null the whole response).
 */
function idAt<K extends RecordKind>(
  value: string | number,
  at: IdPath,
  kinds: readonly K[],
): { typename: K; id: string } {
  try {
    return decodeGlobalIdOf(String(value), ...kinds);
  } catch (error) {
    if (!(error instanceof BadUserInputError)) throw error;
    const [argument, ...path] = at;
    throw new ValidationError([{ path, message: error.message }], error.message, argument);
  }
}

/**
 * A write addressed by an id argument: the provider's refusals of the record are reported at that
 * argument (sources report them at "input", so for an id inside `input` nothing changes).
 */
async function atArgument<T>(argument: string, write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (error) {
    if (error instanceof ValidationError && error.argument === "input") {
      throw new ValidationError(error.fieldErrors, error.message, argument);
    }
    throw error;
  }
}

/**
 * Every mutation addressed by an id goes this way: the id at `at` decoded as one of `kinds`, then
 * `write` on that record (the source call, the loader updates, the success), with the provider's
 * refusals of the record reported at the id's argument.
 */
export async function writeAt<K extends RecordKind, T>(
  id: string | number,
  at: IdPath,
  kinds: K | readonly K[],
  write: (target: { typename: K; id: string }) => Promise<T>,
): Promise<T> {
  const target = idAt(id, at, typeof kinds === "string" ? [kinds] : kinds);
  return atArgument(at[0], write(target));
}

import type { RecordKind } from "../domain/common.ts";
import { BadUserInputError } from "../errors.ts";
import { quoteInput } from "../security/redaction.ts";
import { decodeOpaque, encodeOpaque } from "./opaque.ts";

/**
 * Global ids are base64 of `Typename:remoteId`, the Relay plugin's format. A contact person's or a
 * note's remote id is `contactId/id`, because Moneybird only addresses them under their contact.
 */

const KINDS: ReadonlySet<string> = new Set<RecordKind>([
  "Company",
  "ContactEntry",
  "MoneybirdContact",
  "FreeAgentContact",
  "ContactPerson",
  "ContactNote",
  "Customer",
]);

export function encodeGlobalId(typename: string, id: string | number | bigint): string {
  return encodeOpaque(`${typename}:${id}`);
}

export function decodeGlobalId(globalId: string): { typename: RecordKind; id: string } {
  const decoded = decodeOpaque(globalId);
  const separator = decoded.indexOf(":");
  const typename = decoded.slice(0, separator);
  const id = decoded.slice(separator + 1);
  if (separator < 1 || !KINDS.has(typename) || !isRemoteId(typename as RecordKind, id)) {
    throw new BadUserInputError(`${quoteInput(globalId)} is not a valid id`);
  }
  return { typename: typename as RecordKind, id };
}

/**
 * Canonical decimal ids only: "0001" would name record 1 in one place and nothing in another. At
 * most 20 digits (every provider's ids fit 64 bits), so that no id a message or `extensions.id`
 * echoes is longer than that.
 */
const DECIMAL_ID = "(?:0|[1-9]\\d{0,19})";
const REMOTE_ID = new RegExp(`^${DECIMAL_ID}$`);
const NESTED_REMOTE_ID = new RegExp(`^${DECIMAL_ID}/${DECIMAL_ID}$`);

function isRemoteId(kind: RecordKind, id: string): boolean {
  return (kind === "ContactPerson" || kind === "ContactNote" ? NESTED_REMOTE_ID : REMOTE_ID).test(id);
}

/** Decodes an id that must name a record of one of `kinds` (e.g. a mutation's target). */
export function decodeGlobalIdOf<K extends RecordKind>(
  globalId: string,
  ...kinds: K[]
): { typename: K; id: string } {
  const decoded = decodeGlobalId(globalId);
  if (!kinds.includes(decoded.typename as K)) {
    throw new BadUserInputError(`${quoteInput(globalId)} is not the id of a ${kinds.join(" or ")}`);
  }
  return decoded as { typename: K; id: string };
}

/** `contactId/id` → its two parts (for contact people and notes). */
export function splitNestedId(remoteId: string): { contactId: string; id: string } {
  const [contactId = "", id = ""] = remoteId.split("/");
  return { contactId, id };
}

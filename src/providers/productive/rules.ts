import type { ContactEntryOwner } from "../../domain/index.ts";
import { PUBLIC_MAIL_DOMAINS } from "../../domain/mail-domains.ts";
import { BadUserInputError, NotFoundError, ValidationError } from "../../errors.ts";
import { isIntegerId } from "../shared/ids.ts";
import { foldCase, isBlank } from "../shared/text.ts";
import type { JsonApiErrors } from "./records.ts";

/**
 * The rules Productive enforces on a company write, with the 422 errors its examples answer
 * (productive-companies.txt). The local store and the tests' fake Productive both enforce them.
 */

type JsonApiError = JsonApiErrors["errors"][number];

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;

/** One error of Productive's 422 body, on an attribute of the write. */
export function invalidAttribute(attribute: string, detail: string): JsonApiError {
  return {
    status: "422",
    code: "invalid_attribute",
    title: "Invalid Attribute",
    detail,
    source: { pointer: `data/attributes/${attribute}` },
  };
}

export const blankAttribute = (attribute: string) => invalidAttribute(attribute, "can't be blank");

/** What Productive compares to find another company with the same domain: case does not count. */
export const domainKey = (domain: string) => foldCase(domain);

function domainDetail(domain: unknown, domainTaken: boolean): string | null {
  if (domain === null || domain === undefined) return null;
  if (domain === "") return "domain can't be empty string";
  if (typeof domain !== "string" || !HOSTNAME.test(domain)) return "domain format not valid";
  if (PUBLIC_MAIL_DOMAINS.has(domainKey(domain))) return "public domains are not allowed";
  return domainTaken ? "domain already taken" : null;
}

/**
 * The company attributes that hold another record's id, typed integers in the docs. Their
 * examples show no error for another value: the 422 is Productive's usual "is not a number".
 */
const ID_ATTRIBUTES = ["default_subsidiary_id", "default_tax_rate_id", "default_document_type_id"] as const;

/**
 * Every rule a company's attributes (as the write leaves them) break, reported together as
 * Productive does. `domainTaken`: whether another company has the domain, which only the caller's
 * storage can tell.
 */
export function companyErrors(attributes: Record<string, unknown>, domainTaken: boolean): JsonApiError[] {
  const errors: JsonApiError[] = [];
  if (isBlank(attributes.name)) errors.push(blankAttribute("name"));
  const domain = domainDetail(attributes.domain, domainTaken);
  if (domain) errors.push(invalidAttribute("domain", domain));
  for (const attribute of ID_ATTRIBUTES) {
    const value = attributes[attribute];
    if (value !== null && value !== undefined && !Number.isSafeInteger(value)) {
      errors.push(invalidAttribute(attribute, "is not a number"));
    }
  }
  return errors;
}

/** The strings a filter field holds: itself, a list's items, or an operator object's values. */
function filterStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(filterStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(filterStrings);
  return [];
}

/**
 * Productive reads a comma in a filter value as a separator between values, so a value holding
 * one would silently mean something else: refused before anything is sent, by every backend alike.
 */
export function assertFilterSendable(filter: object, records: string): void {
  for (const [field, value] of Object.entries(filter)) {
    if (filterStrings(value).some((text) => text.includes(","))) {
      throw new BadUserInputError(
        `Productive cannot filter ${records} by a ${field} value containing a comma: it reads commas as separators between values`,
      );
    }
  }
}

/**
 * An owner id that is no Productive id names no record: a missing company, or (for the owners the
 * gateway has no type for) an invalid `contactableId`.
 */
export function assertOwnerId(owner: ContactEntryOwner): void {
  if (isIntegerId(owner.id)) return;
  if (owner.type === "COMPANY") throw new NotFoundError("Company", owner.id);
  throw new ValidationError([{ path: ["contactableId"], message: "is not a Productive id (an integer)" }]);
}

import type { Timestamp } from "./common.ts";
import type { FreeAgentContact } from "./freeagent.ts";
import type { MoneybirdContact } from "./moneybird.ts";

/** An accounting contact from either accounting provider. */
export type Contact = MoneybirdContact | FreeAgentContact;

/** The name a person would use for the contact: the company, else the person's full name. */
export function displayName(contact: Pick<Contact, "companyName" | "firstName" | "lastName">): string {
  const company = contact.companyName?.trim();
  if (company) return company;
  return [contact.firstName, contact.lastName].filter((part) => part?.trim()).join(" ");
}

/**
 * The key `NAME` orders contacts by: the display name, case and accents folded, so "Émile" sorts
 * with "emile" and both providers' contacts interleave by what a person reads.
 */
export function contactNameKey(contact: Pick<Contact, "companyName" | "firstName" | "lastName">): string {
  return displayName(contact)
    .toLocaleLowerCase("en")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "");
}

export const CONTACT_ORDER_FIELDS = ["NAME", "CREATED_AT", "UPDATED_AT"] as const;
export type ContactOrderField = (typeof CONTACT_ORDER_FIELDS)[number];
export interface ContactOrder {
  field: ContactOrderField;
  direction: "ASC" | "DESC";
}

/** The conditions an ordered contacts list applies, each as the provider's own list applies it. */
export interface OrderedContactFilter {
  /** Archived Moneybird contacts and hidden FreeAgent ones too (default: neither). */
  includeArchived?: boolean;
  /** Created after this instant (exclusive). */
  createdAfter?: Timestamp;
  /** Moneybird: updated after (exclusive); FreeAgent: updated since (inclusive), as their lists filter. */
  updatedAfter?: Timestamp;
}

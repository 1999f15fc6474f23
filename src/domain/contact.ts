import type { FreeAgentContact } from "./freeagent.ts";
import type { MoneybirdContact } from "./moneybird.ts";

export interface PostalAddress {
  line1: string | null;
  line2: string | null;
  line3: string | null;
  city: string | null;
  region: string | null;
  postcode: string | null;
  country: string | null;
}

/** An accounting contact from either accounting provider. */
export type Contact = MoneybirdContact | FreeAgentContact;

/** The name a person would use for the contact: the company, else the person's full name. */
export function displayName(contact: Pick<Contact, "companyName" | "firstName" | "lastName">): string {
  const company = contact.companyName?.trim();
  if (company) return company;
  return [contact.firstName, contact.lastName].filter((part) => part?.trim()).join(" ");
}

/** Builds an address, or null when every line is empty. */
export function postalAddress(parts: Partial<PostalAddress>): PostalAddress | null {
  const address: PostalAddress = {
    line1: parts.line1 || null,
    line2: parts.line2 || null,
    line3: parts.line3 || null,
    city: parts.city || null,
    region: parts.region || null,
    postcode: parts.postcode || null,
    country: parts.country || null,
  };
  return Object.values(address).some((value) => value !== null) ? address : null;
}

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

import type { RawRecord, Timestamp } from "./common.ts";

export const COMPANY_STATUSES = ["ACTIVE", "ARCHIVED"] as const;
export type CompanyStatus = (typeof COMPANY_STATUSES)[number];

/** A Productive company (a client). `id` is Productive's id. */
export interface Company {
  kind: "Company";
  id: string;
  name: string;
  billingName: string | null;
  vat: string | null;
  defaultCurrency: string | null;
  companyCode: string | null;
  domain: string | null;
  description: string | null;
  dueDays: number | null;
  tags: string[];
  avatarUrl: string | null;
  externalId: string | null;
  customFields: unknown;
  status: CompanyStatus;
  archivedAt: Timestamp | null;
  createdAt: Timestamp;
  lastActivityAt: Timestamp | null;
  raw: RawRecord;
}

export const COMPANY_ORDER_FIELDS = ["NAME", "CREATED_AT", "LAST_ACTIVITY_AT"] as const;
export type CompanyOrderField = (typeof COMPANY_ORDER_FIELDS)[number];
export interface CompanyOrder {
  field: CompanyOrderField;
  direction: "ASC" | "DESC";
}

export interface CompanyFilter {
  ids?: string[];
  name?: string;
  companyCode?: string;
  billingName?: string;
  vat?: string;
  defaultCurrency?: string;
  status?: CompanyStatus;
  tags?: string[];
  dueDays?: number;
  createdAfter?: Timestamp;
  createdBefore?: Timestamp;
}

export const CONTACT_ENTRY_TYPES = ["ADDRESS", "BILL_FROM", "BILL_TO", "EMAIL", "PHONE", "WEBSITE"] as const;
export type ContactEntryType = (typeof CONTACT_ENTRY_TYPES)[number];
export const CONTACTABLE_TYPES = ["PERSON", "COMPANY", "INVOICE", "SUBSIDIARY", "PURCHASE_ORDER"] as const;
export type ContactableType = (typeof CONTACTABLE_TYPES)[number];

/** A Productive contact entry (an email, phone, website or address of a company or person). */
export interface ContactEntry {
  kind: "ContactEntry";
  id: string;
  type: ContactEntryType;
  contactableType: ContactableType;
  name: string | null;
  email: string | null;
  phone: string | null;
  website: string | null;
  address: string | null;
  city: string | null;
  state: string | null;
  zipcode: string | null;
  country: string | null;
  vat: string | null;
  billingAddress: boolean | null;
  /** The owning company, when the entry belongs to one. */
  companyId: string | null;
  /** The owning company's record, when the source received it with the entry (Productive's `include=company`). */
  company?: Company | null;
  raw: RawRecord;
}

export interface ContactEntryFilter {
  companyIds?: string[];
  types?: ContactEntryType[];
  contactableTypes?: ContactableType[];
}

export interface CompanyContactDetails {
  emails?: { name?: string | null; email: string }[] | null;
  phones?: { name?: string | null; phone: string }[] | null;
  websites?: { name?: string | null; website: string }[] | null;
  addresses?:
    | {
        name?: string | null;
        billingAddress?: string | null;
        city?: string | null;
        state?: string | null;
        zipcode?: string | null;
        country?: string | null;
      }[]
    | null;
}

export interface CreateCompany {
  name: string;
  billingName?: string | null;
  vat?: string | null;
  defaultCurrency?: string | null;
  companyCode?: string | null;
  domain?: string | null;
  description?: string | null;
  dueDays?: number | null;
  tags?: string[] | null;
  avatarUrl?: string | null;
  externalId?: string | null;
  customFields?: unknown;
  /** Contact details created with the company, as Productive's `contact` attribute. */
  contact?: CompanyContactDetails | null;
}

/** Fields left out are unchanged; `null` clears a field. */
export type UpdateCompany = Partial<Omit<CreateCompany, "contact">>;

export interface CreateContactEntry {
  companyId: string;
  type: ContactEntryType;
  name: string;
  email?: string | null;
  phone?: string | null;
  website?: string | null;
  address?: string | null;
  city?: string | null;
  state?: string | null;
  zipcode?: string | null;
  country?: string | null;
  vat?: string | null;
  billingAddress?: boolean | null;
}

export type UpdateContactEntry = Partial<Omit<CreateContactEntry, "companyId">>;

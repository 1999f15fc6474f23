import type { PostalAddress } from "./address.ts";
import type { RawRecord, Timestamp } from "./common.ts";

/** A FreeAgent contact; `id` is the last path segment of its `url`. */
export interface FreeAgentContact {
  kind: "FreeAgentContact";
  provider: "FREEAGENT";
  id: string;
  companyName: string | null;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  address: PostalAddress | null;
  taxNumber: string | null;
  archived: boolean;
  createdAt: Timestamp | null;
  updatedAt: Timestamp | null;
  mobile: string | null;
  billingEmail: string | null;
  chargeSalesTax: string | null;
  locale: string | null;
  accountBalance: string | null;
  defaultPaymentTermsInDays: number | null;
  activeProjectsCount: number | null;
  directDebitMandateState: string | null;
  status: string | null;
  usesContactInvoiceSequence: boolean | null;
  contactNameOnInvoices: boolean | null;
  raw: RawRecord;
}

export const FREEAGENT_VIEWS = [
  "ALL",
  "ACTIVE",
  "CLIENTS",
  "SUPPLIERS",
  "ACTIVE_PROJECTS",
  "COMPLETED_PROJECTS",
  "OPEN_CLIENTS",
  "OPEN_SUPPLIERS",
  "HIDDEN",
] as const;
export type FreeAgentView = (typeof FREEAGENT_VIEWS)[number];

export const FREEAGENT_SORT_FIELDS = ["NAME", "CREATED_AT", "UPDATED_AT"] as const;
export type FreeAgentSortField = (typeof FREEAGENT_SORT_FIELDS)[number];

export interface FreeAgentContactFilter {
  /** Defaults to ACTIVE, as FreeAgent does. */
  view?: FreeAgentView;
  sort?: { field: FreeAgentSortField; direction: "ASC" | "DESC" };
  updatedAfter?: Timestamp;
}

export interface CreateFreeAgentContact {
  companyName?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  email?: string | null;
  billingEmail?: string | null;
  phone?: string | null;
  mobile?: string | null;
  address?: {
    line1?: string | null;
    line2?: string | null;
    line3?: string | null;
    city?: string | null;
    region?: string | null;
    postcode?: string | null;
    country?: string | null;
  } | null;
  taxNumber?: string | null;
  chargeSalesTax?: string | null;
  locale?: string | null;
  defaultPaymentTermsInDays?: number | null;
  usesContactInvoiceSequence?: boolean | null;
  contactNameOnInvoices?: boolean | null;
  status?: string | null;
}

export type UpdateFreeAgentContact = Partial<CreateFreeAgentContact>;

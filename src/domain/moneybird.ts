import type { PostalAddress } from "./address.ts";
import type { RawRecord, Timestamp } from "./common.ts";

export interface CustomFieldValue {
  id: string;
  name: string;
  value: string;
}

export interface ContactNote {
  kind: "ContactNote";
  id: string;
  contactId: string;
  note: string;
  todo: boolean;
  assigneeId: string | null;
  userId: string | null;
  completedAt: Timestamp | null;
  createdAt: Timestamp | null;
  raw: RawRecord;
}

export interface ContactPerson {
  kind: "ContactPerson";
  id: string;
  contactId: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  email: string | null;
  department: string | null;
  version: number | null;
  createdAt: Timestamp | null;
  updatedAt: Timestamp | null;
  raw: RawRecord;
}

/** A Moneybird contact; it embeds its contact people, notes and custom fields, as Moneybird does. */
export interface MoneybirdContact {
  kind: "MoneybirdContact";
  provider: "MONEYBIRD";
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
  customerId: string | null;
  attention: string | null;
  chamberOfCommerce: string | null;
  bankAccount: string | null;
  deliveryMethod: string | null;
  sendInvoicesToEmail: string | null;
  sendEstimatesToEmail: string | null;
  version: number;
  customFields: CustomFieldValue[];
  notes: ContactNote[];
  contactPersons: ContactPerson[];
  raw: RawRecord;
}

export interface AdditionalCharge {
  id: string;
  contactId: string;
  productId: string;
  subscriptionId: string | null;
  amount: string | null;
  price: string;
  period: string;
  /** Moneybird's response schema has none; the local store keeps the one it was given. */
  description: string | null;
  raw: RawRecord;
}

export interface PaymentsMandate {
  type: string | null;
  sepaMandate: boolean;
  bank: string | null;
  iban: string | null;
  bic: string | null;
  ibanAccountName: string | null;
  cardExpiryMonth: string | null;
  cardExpiryYear: string | null;
  cardFinalDigits: string | null;
  createdAt: Timestamp;
  raw: RawRecord;
}

export interface MoneybirdContactFilter {
  /** Moneybird's full-text `query` (company name, names, address, email, customer id, …). */
  query?: string;
  firstName?: string;
  lastName?: string;
  createdAfter?: Timestamp;
  updatedAfter?: Timestamp;
  includeArchived?: boolean;
}

/** Moneybird takes no `email` on write: a contact's address for documents is `sendInvoicesToEmail`. */
export interface CreateMoneybirdContact {
  companyName?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  address?: {
    line1?: string | null;
    line2?: string | null;
    city?: string | null;
    postcode?: string | null;
    country?: string | null;
  } | null;
  taxNumber?: string | null;
  customerId?: string | null;
  attention?: string | null;
  chamberOfCommerce?: string | null;
  bankAccount?: string | null;
  deliveryMethod?: string | null;
  sendInvoicesToEmail?: string | null;
  sendEstimatesToEmail?: string | null;
  customFields?: { id: string; value: string }[] | null;
  /** A first contact person, created together with the contact. */
  contactPerson?: { firstName: string; lastName: string } | null;
}

export type UpdateMoneybirdContact = Partial<Omit<CreateMoneybirdContact, "contactPerson">>;

export interface CreateContactPerson {
  firstName?: string | null;
  lastName?: string | null;
  phone?: string | null;
  email?: string | null;
  department?: string | null;
}
export type UpdateContactPerson = CreateContactPerson;

export interface AddContactNote {
  note: string;
  todo?: boolean | null;
  assigneeId?: string | null;
}

export interface CreateAdditionalCharge {
  productId: string;
  amount?: string | null;
  price: string;
  period?: string | null;
  description?: string | null;
}

export interface RequestPaymentsMandate {
  emailMessage?: string | null;
  identityId?: string | null;
}

/** What a Moneybird DELETE did: Moneybird archives a contact it cannot delete. */
export interface DeleteContactOutcome {
  archived: boolean;
  /** The archived contact, when it was archived (the source read it to learn what happened). */
  contact: MoneybirdContact | null;
}

/** An entry of Moneybird's synchronization list: which contacts exist, at which version. */
export interface ContactVersion {
  id: string;
  version: number;
}

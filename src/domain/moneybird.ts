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

/** A contact's SEPA direct debit details (Moneybird's `sepa_*` attributes). */
export interface MoneybirdSepa {
  active: boolean | null;
  iban: string | null;
  ibanAccountName: string | null;
  bic: string | null;
  mandateId: string | null;
  /** ISO date (YYYY-MM-DD or as Moneybird wrote it). */
  mandateDate: string | null;
  sequenceType: MoneybirdSepaSequenceType | null;
}
export const SEPA_SEQUENCE_TYPES = ["RCUR", "FRST", "OOFF", "FNAL"] as const;
export type MoneybirdSepaSequenceType = (typeof SEPA_SEQUENCE_TYPES)[number];

/** The card a contact pays by, as Moneybird shows it (read-only). */
export interface MoneybirdCreditCard {
  number: string | null;
  reference: string | null;
  type: string | null;
}

/** An entry of a contact's history (Moneybird's `events`). */
export interface MoneybirdContactEvent {
  action: string;
  userId: string | null;
  linkEntityId: string | null;
  linkEntityType: string | null;
  data: Record<string, unknown>;
  createdAt: Timestamp | null;
  updatedAt: Timestamp | null;
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
  sendEstimatesToAttention: string | null;
  emailUbl: boolean | null;
  directDebit: boolean | null;
  sepa: MoneybirdSepa;
  creditCard: MoneybirdCreditCard | null;
  invoiceWorkflowId: string | null;
  estimateWorkflowId: string | null;
  siIdentifier: string | null;
  siIdentifierType: string | null;
  isTrusted: boolean | null;
  /** Decimal, as Moneybird sends it. */
  maxTransferAmount: string | null;
  taxNumberValid: boolean | null;
  taxNumberValidatedAt: Timestamp | null;
  hasPaymentsMandate: boolean | null;
  salesInvoicesUrl: string | null;
  events: MoneybirdContactEvent[];
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
  contactType?: MoneybirdContactType;
  /** The invoice delivery method, upper case (EMAIL, POST, …). */
  deliveryMethod?: MoneybirdDeliveryMethod;
  trustedType?: MoneybirdTrustedType;
  invoiceWorkflowId?: string;
  estimateWorkflowId?: string;
  /** The plain list's parameters (not the filter endpoint's): a to-do type, and a field with its value. */
  todo?: string;
  contactField?: string;
  contactValue?: string;
}
export const MONEYBIRD_CONTACT_TYPES = ["COMPANY", "PRIVATE_INDIVIDUAL"] as const;
export type MoneybirdContactType = (typeof MONEYBIRD_CONTACT_TYPES)[number];
export const MONEYBIRD_DELIVERY_METHODS = ["EMAIL", "POST", "MANUAL", "PEPPOL", "SIMPLERINVOICING"] as const;
export type MoneybirdDeliveryMethod = (typeof MONEYBIRD_DELIVERY_METHODS)[number];
export const MONEYBIRD_TRUSTED_TYPES = ["TRUSTED", "NOT_TRUSTED"] as const;
export type MoneybirdTrustedType = (typeof MONEYBIRD_TRUSTED_TYPES)[number];

/** `email` is written where it is read from: the invoice addresses (`send_invoices_to_email`). */
export interface CreateMoneybirdContact {
  email?: string | null;
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
  sendEstimatesToAttention?: string | null;
  emailUbl?: boolean | null;
  directDebit?: boolean | null;
  /** null clears every SEPA attribute (and switches SEPA off). */
  sepa?: { [K in keyof MoneybirdSepa]?: MoneybirdSepa[K] } | null;
  invoiceWorkflowId?: string | null;
  estimateWorkflowId?: string | null;
  siIdentifier?: string | null;
  siIdentifierType?: string | null;
  /** A null or absent value clears that field's value. */
  customFields?: { id: string; value?: string | null }[] | null;
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
  /** Restricts the payment methods to those of this workflow. */
  workflowId?: string | null;
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

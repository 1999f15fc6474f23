import type {
  Contact,
  CreateFreeAgentContact,
  CreateMoneybirdContact,
  DeleteContactOutcome,
  FreeAgentContact,
  Provider,
  UpdateFreeAgentContact,
  UpdateMoneybirdContact,
} from "../domain/index.ts";
import { type FieldError, ValidationError } from "../errors.ts";
import type { Sources } from "../ports.ts";
import type { AccountingProvider } from "./merged-list.ts";

/**
 * Contact writes routed to the provider that holds the contact: the one a create names, the one a
 * contact's kind belongs to for the others. Each throws the typed errors of src/errors.ts.
 */

/** The record kinds of accounting contacts, which say whose contact an id names. */
export type ContactKind = Contact["kind"];

/** A write may carry either provider's fields; those the target provider does not store are refused. */
export type NewContact = CreateMoneybirdContact & CreateFreeAgentContact;
export type ContactPatch = UpdateMoneybirdContact & UpdateFreeAgentContact;

/** Which provider takes a field; a field absent here is taken by both. */
const PROVIDER_ONLY_FIELDS: Record<string, AccountingProvider> = {
  customerId: "MONEYBIRD",
  attention: "MONEYBIRD",
  chamberOfCommerce: "MONEYBIRD",
  bankAccount: "MONEYBIRD",
  deliveryMethod: "MONEYBIRD",
  sendInvoicesToEmail: "MONEYBIRD",
  sendEstimatesToEmail: "MONEYBIRD",
  sendEstimatesToAttention: "MONEYBIRD",
  emailUbl: "MONEYBIRD",
  directDebit: "MONEYBIRD",
  sepa: "MONEYBIRD",
  invoiceWorkflowId: "MONEYBIRD",
  estimateWorkflowId: "MONEYBIRD",
  siIdentifier: "MONEYBIRD",
  siIdentifierType: "MONEYBIRD",
  customFields: "MONEYBIRD",
  contactPerson: "MONEYBIRD",
  mobile: "FREEAGENT",
  billingEmail: "FREEAGENT",
  chargeSalesTax: "FREEAGENT",
  locale: "FREEAGENT",
  defaultPaymentTermsInDays: "FREEAGENT",
  usesContactInvoiceSequence: "FREEAGENT",
  contactNameOnInvoices: "FREEAGENT",
  status: "FREEAGENT",
  "address.line3": "FREEAGENT",
  "address.region": "FREEAGENT",
};
/**
 * Moneybird inputs that cannot be sent as given: `email` and `sendInvoicesToEmail` are one attribute,
 * and a `customFields` of null would clear nothing (Moneybird clears a value only when named).
 */
function moneybirdInputErrors(fields: Record<string, unknown>): FieldError[] {
  return [
    ...(fields.email !== undefined && fields.sendInvoicesToEmail !== undefined
      ? [{ path: ["email"], message: "Moneybird stores email as sendInvoicesToEmail: give one of the two" }]
      : []),
    ...(fields.customFields === null
      ? [{ path: ["customFields"], message: "List the custom fields to clear, each with value null" }]
      : []),
  ];
}

/** Refuses, with every offending path at once, fields the target provider does not store. */
function forProvider<T extends object>(provider: AccountingProvider, input: T): T {
  const fields = input as Record<string, unknown>;
  const address = (fields.address ?? {}) as Record<string, unknown>;
  const given = [
    ...Object.keys(fields).filter((key) => fields[key] !== undefined),
    ...Object.keys(address)
      .filter((key) => address[key] !== undefined)
      .map((key) => `address.${key}`),
  ];
  const unsupported = given.filter((field) => {
    const only = PROVIDER_ONLY_FIELDS[field];
    return only !== undefined && only !== provider;
  });
  const errors = [
    ...unsupported.map((field) => ({
      path: field.split("."),
      message: `${provider} contacts have no ${field}`,
    })),
    ...(provider === "MONEYBIRD" ? moneybirdInputErrors(fields) : []),
  ];
  if (errors.length > 0) throw new ValidationError(errors);
  return input;
}

/** Moneybird's errors on the invoice addresses belong at `email` when that is what the client gave. */
async function atGivenEmail<T>(fields: { email?: unknown }, write: Promise<T>): Promise<T> {
  if (fields.email === undefined) return write;
  return write.catch((error: unknown) => {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(
      error.fieldErrors.map(({ path, message }) => ({
        path: path.length === 1 && path[0] === "sendInvoicesToEmail" ? ["email"] : path,
        message,
      })),
    );
  });
}

/** Creates the contact at `provider`; Productive has no contacts (a ValidationError at `provider`). */
export async function createContact(
  sources: Sources,
  provider: Provider,
  fields: NewContact,
): Promise<Contact> {
  if (provider === "PRODUCTIVE") {
    throw new ValidationError([
      { path: ["provider"], message: "Productive has companies, not contacts: use createCompany" },
    ]);
  }
  return provider === "MONEYBIRD"
    ? atGivenEmail(fields, sources.moneybirdContacts.create(forProvider(provider, fields)))
    : sources.freeAgentContacts.create(forProvider(provider, fields));
}

export async function updateContact(
  sources: Sources,
  kind: ContactKind,
  id: string,
  patch: ContactPatch,
): Promise<Contact> {
  return kind === "MoneybirdContact"
    ? atGivenEmail(patch, sources.moneybirdContacts.update(id, forProvider("MONEYBIRD", patch)))
    : sources.freeAgentContacts.update(id, forProvider("FREEAGENT", patch));
}

/**
 * Moneybird archives the contact; FreeAgent has no archive, so the contact is hidden (status
 * Hidden). The hidden FreeAgent contact, or null: Moneybird answers an archive without the contact.
 */
export async function archiveContact(
  sources: Sources,
  kind: ContactKind,
  id: string,
): Promise<FreeAgentContact | null> {
  if (kind === "FreeAgentContact") return sources.freeAgentContacts.update(id, { status: "Hidden" });
  await sources.moneybirdContacts.archive(id);
  return null;
}

/** Moneybird archives a contact it cannot delete (the outcome says which happened); FreeAgent deletes. */
export async function deleteContact(
  sources: Sources,
  kind: ContactKind,
  id: string,
): Promise<DeleteContactOutcome> {
  if (kind === "MoneybirdContact") return sources.moneybirdContacts.delete(id);
  await sources.freeAgentContacts.delete(id);
  return { archived: false, contact: null };
}

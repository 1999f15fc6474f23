import type {
  ContactVersion,
  CustomFieldValue,
  MoneybirdContactEvent,
  MoneybirdCreditCard,
  MoneybirdSepa,
} from "../domain/index.ts";
import {
  MONEYBIRD_CONTACT_TYPES,
  MONEYBIRD_DELIVERY_METHODS,
  MONEYBIRD_TRUSTED_TYPES,
  SEPA_SEQUENCE_TYPES,
} from "../domain/index.ts";
import { AdditionalChargeType } from "./additional-charge.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { arrayConnection } from "./connection.ts";
import { OWN_CALL_NULLABILITY } from "./errors.ts";
import { encodeGlobalId } from "./global-id.ts";
import { givenFields } from "./input.ts";
import { PaymentsMandateType } from "./payments-mandate.ts";
import { ContactInterface, ContactNoteNode, ContactPersonConnection, MoneybirdContactNode } from "./refs.ts";

const CustomFieldValueType = builder.objectRef<CustomFieldValue>("CustomFieldValue").implement({
  fields: (t) => ({
    id: t.exposeID("id", { description: "Moneybird's custom field id." }),
    name: t.exposeString("name"),
    value: t.exposeString("value"),
  }),
});

export const SepaSequenceTypeEnum = builder.enumType("MoneybirdSepaSequenceType", {
  values: SEPA_SEQUENCE_TYPES,
});

const SepaType = builder.objectRef<MoneybirdSepa>("MoneybirdSepa").implement({
  description: "SEPA direct debit details (Moneybird's sepa_* attributes).",
  fields: (t) => ({
    active: t.exposeBoolean("active", { nullable: true }),
    iban: t.exposeString("iban", { nullable: true }),
    ibanAccountName: t.exposeString("ibanAccountName", { nullable: true }),
    bic: t.exposeString("bic", { nullable: true }),
    mandateId: t.exposeString("mandateId", { nullable: true }),
    mandateDate: t.exposeString("mandateDate", { nullable: true, description: "A date, e.g. 2024-06-30." }),
    sequenceType: t.expose("sequenceType", { type: SepaSequenceTypeEnum, nullable: true }),
  }),
});

const CreditCardType = builder.objectRef<MoneybirdCreditCard>("MoneybirdCreditCard").implement({
  description: "The card the contact pays by, as Moneybird shows it; read-only.",
  fields: (t) => ({
    number: t.exposeString("number", { nullable: true, description: "Masked by Moneybird." }),
    reference: t.exposeString("reference", { nullable: true }),
    type: t.exposeString("type", { nullable: true, description: "mastercard or visa." }),
  }),
});

const ContactEventType = builder.objectRef<MoneybirdContactEvent>("MoneybirdContactEvent").implement({
  description: "An entry of the contact's history in Moneybird.",
  fields: (t) => ({
    action: t.exposeString("action", { description: "e.g. contact_created." }),
    userId: t.exposeID("userId", { nullable: true }),
    linkEntityId: t.exposeID("linkEntityId", { nullable: true }),
    linkEntityType: t.exposeString("linkEntityType", { nullable: true }),
    data: t.expose("data", { type: "JSON" }),
    createdAt: t.expose("createdAt", { type: "DateTime", nullable: true }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", nullable: true }),
  }),
});

MoneybirdContactNode.implement({
  description: "A Moneybird contact.",
  interfaces: [ContactInterface],
  isTypeOf: (value) => (value as { kind?: string }).kind === "MoneybirdContact",
  fields: (t) => ({
    customerId: t.exposeString("customerId", { nullable: true }),
    attention: t.exposeString("attention", { nullable: true }),
    chamberOfCommerce: t.exposeString("chamberOfCommerce", { nullable: true }),
    bankAccount: t.exposeString("bankAccount", { nullable: true }),
    deliveryMethod: t.exposeString("deliveryMethod", { nullable: true }),
    sendInvoicesToEmail: t.exposeString("sendInvoicesToEmail", { nullable: true }),
    sendEstimatesToEmail: t.exposeString("sendEstimatesToEmail", { nullable: true }),
    sendEstimatesToAttention: t.exposeString("sendEstimatesToAttention", { nullable: true }),
    emailUbl: t.exposeBoolean("emailUbl", {
      nullable: true,
      description: "Whether invoices sent by email carry a UBL file.",
    }),
    directDebit: t.exposeBoolean("directDebit", {
      nullable: true,
      description: "Whether invoices are collected by SEPA direct debit.",
    }),
    sepa: t.expose("sepa", { type: SepaType }),
    creditCard: t.expose("creditCard", {
      type: CreditCardType,
      nullable: true,
      description: "Null when Moneybird knows no card.",
    }),
    invoiceWorkflowId: t.exposeID("invoiceWorkflowId", { nullable: true }),
    estimateWorkflowId: t.exposeID("estimateWorkflowId", { nullable: true }),
    siIdentifier: t.exposeString("siIdentifier", {
      nullable: true,
      description: "Peppol / e-invoicing identifier.",
    }),
    siIdentifierType: t.exposeString("siIdentifierType", {
      nullable: true,
      description: "Its scheme, e.g. 0106 or NL:KVK.",
    }),
    isTrusted: t.exposeBoolean("isTrusted", {
      nullable: true,
      description: "Read-only: Moneybird trusts a contact while approving a payment.",
    }),
    maxTransferAmount: t.exposeString("maxTransferAmount", {
      nullable: true,
      description: "Decimal string.",
    }),
    taxNumberValid: t.exposeBoolean("taxNumberValid", { nullable: true }),
    taxNumberValidatedAt: t.expose("taxNumberValidatedAt", { type: "DateTime", nullable: true }),
    hasPaymentsMandate: t.exposeBoolean("hasPaymentsMandate", {
      nullable: true,
      description:
        "Whether the contact has a valid Moneybird Payments mandate (moneybird_payments_mandate); no extra call, unlike paymentsMandate.",
    }),
    salesInvoicesUrl: t.exposeString("salesInvoicesUrl", {
      nullable: true,
      description: "The contact's page of all its invoices.",
    }),
    events: t.expose("events", { type: [ContactEventType] }),
    version: t.exposeInt("version", { description: "Moneybird's version; it grows with every change." }),
    customFields: t.field({ type: [CustomFieldValueType], resolve: (contact) => contact.customFields }),
    notes: t.field({ type: [ContactNoteNode], resolve: (contact) => contact.notes }),
    contactPersons: t.field({
      type: ContactPersonConnection,
      description: "Embedded in the contact: no further upstream call.",
      args: { first: t.arg.int(), after: t.arg.string() },
      resolve: (contact, args) =>
        arrayConnection(contact.contactPersons, args, "MoneybirdContact.contactPersons"),
    }),
    additionalCharges: t.loadableList({
      type: AdditionalChargeType,
      nullable: { list: true, items: false },
      description: `Moneybird has no batch read for charges: one call per contact, each contact asked once per field of the query. ${OWN_CALL_NULLABILITY}`,
      args: { includeBilled: t.arg.boolean({ defaultValue: false }) },
      byPath: true,
      load: (contactIds: string[], ctx, { includeBilled }) =>
        eachSettled(contactIds, (id) =>
          ctx.sources.moneybirdContacts.listAdditionalCharges(id, includeBilled ?? false),
        ),
      resolve: (contact) => contact.id,
    }),
    paymentsMandate: t.loadable({
      type: PaymentsMandateType,
      nullable: true,
      description: `The stored mandate; null when the contact has none. One call per contact, each contact asked once per field of the query. ${OWN_CALL_NULLABILITY} Moneybird Payments switched off is such a failure: UPSTREAM_FORBIDDEN.`,
      // Per field path, like the charges: a mandate written later in the same document is read afresh.
      byPath: true,
      load: (contactIds: string[], ctx) =>
        eachSettled(contactIds, (id) => ctx.sources.moneybirdContacts.getPaymentsMandate(id)),
      resolve: (contact) => contact.id,
    }),
  }),
});

const ContactVersionType = builder.objectRef<ContactVersion>("MoneybirdContactVersion").implement({
  description: "A Moneybird contact's id and version: fetch the contacts whose version changed with `nodes`.",
  fields: (t) => ({
    id: t.id({ resolve: (entry) => encodeGlobalId("MoneybirdContact", entry.id) }),
    remoteId: t.exposeString("id", { description: "Moneybird's id." }),
    version: t.exposeInt("version"),
  }),
});

const ContactTypeEnum = builder.enumType("MoneybirdContactType", { values: MONEYBIRD_CONTACT_TYPES });
const DeliveryMethodEnum = builder.enumType("MoneybirdDeliveryMethod", {
  values: MONEYBIRD_DELIVERY_METHODS,
});
const TrustedTypeEnum = builder.enumType("MoneybirdTrustedType", { values: MONEYBIRD_TRUSTED_TYPES });

/** The filter keys of Moneybird's filter endpoint beyond names and times, in `ContactFilter` too. */
export const moneybirdValueFilterFields = (
  t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, "InputObject">,
  only = "",
) => ({
  contactType: t.field({ type: ContactTypeEnum, description: `${only}company or private individual.` }),
  deliveryMethod: t.field({ type: DeliveryMethodEnum, description: `${only}how invoices are delivered.` }),
  trustedType: t.field({
    type: TrustedTypeEnum,
    description: `${only}whether Moneybird trusts the contact.`,
  }),
  invoiceWorkflowId: t.id({ description: `${only}contacts with this invoice workflow.` }),
  estimateWorkflowId: t.id({ description: `${only}contacts with this estimate workflow.` }),
});

const ContactVersionFilterInput = builder.inputType("MoneybirdContactVersionFilter", {
  description: "The conditions of Moneybird's filter endpoint.",
  fields: (t) => ({
    firstName: t.string({ description: "Case-insensitive exact first name." }),
    lastName: t.string({ description: "Case-insensitive exact last name." }),
    createdAfter: t.field({ type: "DateTime", description: "Exclusive." }),
    updatedAfter: t.field({ type: "DateTime", description: "Exclusive." }),
    includeArchived: t.boolean(),
    ...moneybirdValueFilterFields(t),
  }),
});

builder.queryField("moneybirdContactVersions", (t) =>
  t.field({
    type: [ContactVersionType],
    nullable: true,
    description:
      "Every Moneybird contact's id and version in one call (Moneybird's synchronization list), for clients that keep a copy and refetch only what changed. Null (with the error) only when Moneybird fails.",
    args: { filter: t.arg({ type: ContactVersionFilterInput }) },
    resolve: (_root, { filter }, ctx) => ctx.sources.moneybirdContacts.listVersions(givenFields(filter)),
  }),
);

/** One call per key, for reads with no batch endpoint: a failing key fails alone. */
function eachSettled<T>(keys: string[], read: (key: string) => Promise<T>): Promise<(T | Error)[]> {
  return Promise.all(
    keys.map((key) =>
      read(key).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
    ),
  );
}

builder.queryField("contactByCustomerId", (t) =>
  t.field({
    type: MoneybirdContactNode,
    nullable: true,
    description: "The Moneybird contact with this customer id, or null.",
    args: { customerId: t.arg.string({ required: true }) },
    resolve: (_root, { customerId }, ctx) => ctx.sources.moneybirdContacts.getByCustomerId(customerId),
  }),
);

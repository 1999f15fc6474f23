import type { ContactVersion, CustomFieldValue } from "../domain/index.ts";
import { AdditionalChargeType } from "./additional-charge.ts";
import { builder } from "./builder.ts";
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

const ContactVersionFilterInput = builder.inputType("MoneybirdContactVersionFilter", {
  description: "The conditions of Moneybird's filter endpoint.",
  fields: (t) => ({
    firstName: t.string({ description: "Case-insensitive exact first name." }),
    lastName: t.string({ description: "Case-insensitive exact last name." }),
    createdAfter: t.field({ type: "DateTime", description: "Exclusive." }),
    updatedAfter: t.field({ type: "DateTime", description: "Exclusive." }),
    includeArchived: t.boolean(),
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

import type { AdditionalCharge, ContactVersion, CustomFieldValue, PaymentsMandate } from "../domain/index.ts";
import { builder } from "./builder.ts";
import { arrayConnection } from "./connection.ts";
import { WRITE_ERRORS } from "./errors.ts";
import { encodeGlobalId, splitNestedId } from "./global-id.ts";
import { givenFields } from "./input.ts";
import { atArgument, idAt, successType, WRITTEN_RECORD_DESCRIPTION } from "./mutation-result.ts";
import {
  ContactInterface,
  ContactNoteNode,
  ContactPersonConnection,
  forget,
  MoneybirdContactNode,
  nestedKey,
  remember,
} from "./refs.ts";

const CustomFieldValueType = builder.objectRef<CustomFieldValue>("CustomFieldValue").implement({
  fields: (t) => ({
    id: t.exposeID("id", { description: "Moneybird's custom field id." }),
    name: t.exposeString("name"),
    value: t.exposeString("value"),
  }),
});

ContactNoteNode.implement({
  description: "A note or to-do on a Moneybird contact.",
  isTypeOf: (value) => (value as { kind?: string }).kind === "ContactNote",
  fields: (t) => ({
    remoteId: t.exposeString("id", { description: "Moneybird's id." }),
    note: t.exposeString("note"),
    todo: t.exposeBoolean("todo"),
    assigneeId: t.exposeID("assigneeId", {
      nullable: true,
      description: "The Moneybird user the to-do is assigned to.",
    }),
    userId: t.exposeID("userId", { nullable: true, description: "The Moneybird user who wrote it." }),
    completedAt: t.field({ type: "DateTime", nullable: true, resolve: (note) => note.completedAt }),
    createdAt: t.field({ type: "DateTime", nullable: true, resolve: (note) => note.createdAt }),
    contact: t.field({ type: MoneybirdContactNode, resolve: (note) => note.contactId }),
    raw: t.field({ type: "JSON", resolve: (note) => note.raw }),
  }),
});

const AdditionalChargeType = builder.objectRef<AdditionalCharge>("AdditionalCharge").implement({
  description: "A charge Moneybird invoices at the start of the next period.",
  fields: (t) => ({
    id: t.exposeID("id", { description: "Moneybird's id." }),
    productId: t.exposeID("productId"),
    subscriptionId: t.exposeID("subscriptionId", { nullable: true }),
    amount: t.exposeString("amount", {
      nullable: true,
      description: 'Quantity as Moneybird writes it, e.g. "5 x".',
    }),
    price: t.exposeString("price", { description: "Decimal string." }),
    period: t.exposeString("period", { description: 'e.g. "20210601..20210630".' }),
    description: t.exposeString("description", {
      nullable: true,
      description: "What the charge is for; null from live Moneybird, whose responses leave it out.",
    }),
    raw: t.field({ type: "JSON", resolve: (charge) => charge.raw }),
  }),
});

const PaymentsMandateType = builder.objectRef<PaymentsMandate>("PaymentsMandate").implement({
  description: "A stored Moneybird Payments mandate (direct debit or card).",
  fields: (t) => ({
    type: t.exposeString("type", { nullable: true }),
    sepaMandate: t.exposeBoolean("sepaMandate"),
    bank: t.exposeString("bank", { nullable: true }),
    iban: t.exposeString("iban", { nullable: true }),
    bic: t.exposeString("bic", { nullable: true }),
    ibanAccountName: t.exposeString("ibanAccountName", { nullable: true }),
    cardExpiryMonth: t.exposeString("cardExpiryMonth", { nullable: true }),
    cardExpiryYear: t.exposeString("cardExpiryYear", { nullable: true }),
    cardFinalDigits: t.exposeString("cardFinalDigits", { nullable: true }),
    createdAt: t.field({ type: "DateTime", resolve: (mandate) => mandate.createdAt }),
    raw: t.field({ type: "JSON", resolve: (mandate) => mandate.raw }),
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
      description:
        "Moneybird has no batch read for charges: one call per contact, each contact asked once per field of the query.",
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
      description:
        "null when the contact has none; an UPSTREAM_FORBIDDEN error when Moneybird Payments is off. One call per contact, each contact asked once per field of the query.",
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

/** The Moneybird contact a mutation's `contactId` (at `at`) names. */
export const moneybirdContactId = (id: string | number, at: readonly [string, ...string[]]) =>
  idAt(id, at, "MoneybirdContact").id;

const AddContactNoteInput = builder.inputType("AddContactNoteInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    note: t.string({ required: true }),
    todo: t.boolean({ description: "Make it a to-do." }),
    assigneeId: t.id({ description: "Moneybird user to assign the to-do to (makes it a to-do)." }),
  }),
});
const CreateAdditionalChargeInput = builder.inputType("CreateAdditionalChargeInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    productId: t.id({ required: true }),
    price: t.string({ required: true, description: "Decimal string." }),
    amount: t.string({ description: 'Quantity as Moneybird writes it, e.g. "5 x".' }),
    period: t.string({ description: 'e.g. "20210601..20210630"; default the current month.' }),
    description: t.string(),
  }),
});
const RequestPaymentsMandateInput = builder.inputType("RequestPaymentsMandateInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    emailMessage: t.string({ description: "A message in the e-mail Moneybird sends the contact." }),
    identityId: t.id({ description: "The Moneybird identity that sends it." }),
  }),
});
const CreatePaymentsMandateUrlInput = builder.inputType("CreatePaymentsMandateUrlInput", {
  fields: (t) => ({ contactId: t.id({ required: true }), identityId: t.id() }),
});

const AddContactNoteSuccess = successType("AddContactNoteSuccess", "note", ContactNoteNode);
const DeleteContactNoteSuccess = builder
  .objectRef<{ deletedId: string }>("DeleteContactNoteSuccess")
  .implement({
    fields: (t) => ({ deletedId: t.exposeID("deletedId") }),
  });
const CreateAdditionalChargeSuccess = builder
  .objectRef<{ additionalCharge: AdditionalCharge }>("CreateAdditionalChargeSuccess")
  .implement({
    fields: (t) => ({
      additionalCharge: t.field({
        type: AdditionalChargeType,
        nullable: true,
        description: WRITTEN_RECORD_DESCRIPTION,
        resolve: (r) => r.additionalCharge,
      }),
    }),
  });
/**
 * The success of a write Moneybird answers without the contact (a mandate request or deletion):
 * the contact is read, through the loader, only when selected; if that read fails it is null with
 * the error in `errors`, while the write itself is reported as the success it was.
 */
const contactWriteSuccess = (name: string, fields: { url?: true } = {}) =>
  builder.objectRef<{ contactId: string; url?: string }>(name).implement({
    fields: (t) => ({
      ...(fields.url
        ? {
            url: t.string({
              description: "Give it to the contact; Moneybird keeps it valid for 14 days.",
              resolve: (result) => result.url as string,
            }),
          }
        : {}),
      contact: t.field({
        type: MoneybirdContactNode,
        nullable: true,
        description:
          "The contact, read after the write; null (with the error in `errors`) if that read fails.",
        resolve: (result) => result.contactId,
      }),
    }),
  });
const RequestPaymentsMandateSuccess = contactWriteSuccess("RequestPaymentsMandateSuccess");
const CreatePaymentsMandateUrlSuccess = contactWriteSuccess("CreatePaymentsMandateUrlSuccess", { url: true });
const DeletePaymentsMandateSuccess = contactWriteSuccess("DeletePaymentsMandateSuccess");

builder.mutationFields((t) => ({
  addContactNote: t.field({
    type: AddContactNoteSuccess,
    args: { input: t.arg({ type: AddContactNoteInput, required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "AddContactNoteResult" } },
    resolve: async (_root, { input: { contactId, assigneeId, ...note } }, ctx) => {
      const id = moneybirdContactId(contactId, ["input", "contactId"]);
      const added = await ctx.sources.moneybirdContacts.addNote(id, {
        ...note,
        assigneeId: assigneeId === undefined || assigneeId === null ? assigneeId : String(assigneeId),
      });
      forget(MoneybirdContactNode, ctx, id);
      return { note: remember(ContactNoteNode, ctx, nestedKey(added), added) };
    },
  }),
  deleteContactNote: t.field({
    type: DeleteContactNoteSuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "DeleteContactNoteResult" } },
    resolve: async (_root, { id }, ctx) => {
      const key = idAt(id, ["id"], "ContactNote").id;
      const { contactId, id: noteId } = splitNestedId(key);
      await atArgument("id", ctx.sources.moneybirdContacts.deleteNote(contactId, noteId));
      forget(MoneybirdContactNode, ctx, contactId);
      forget(ContactNoteNode, ctx, key);
      return { deletedId: String(id) };
    },
  }),
  createAdditionalCharge: t.field({
    type: CreateAdditionalChargeSuccess,
    args: { input: t.arg({ type: CreateAdditionalChargeInput, required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "CreateAdditionalChargeResult" } },
    resolve: async (_root, { input: { contactId, productId, ...charge } }, ctx) => ({
      additionalCharge: await ctx.sources.moneybirdContacts.createAdditionalCharge(
        moneybirdContactId(contactId, ["input", "contactId"]),
        { ...charge, productId: String(productId) },
      ),
    }),
  }),
  requestPaymentsMandate: t.field({
    type: RequestPaymentsMandateSuccess,
    description: "Moneybird e-mails the contact a link to authorise direct debit.",
    args: { input: t.arg({ type: RequestPaymentsMandateInput, required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "RequestPaymentsMandateResult" } },
    resolve: async (_root, { input: { contactId, emailMessage, identityId } }, ctx) => {
      const id = moneybirdContactId(contactId, ["input", "contactId"]);
      await ctx.sources.moneybirdContacts.requestPaymentsMandate(id, {
        emailMessage,
        identityId: identityId === undefined || identityId === null ? identityId : String(identityId),
      });
      forget(MoneybirdContactNode, ctx, id);
      return { contactId: id };
    },
  }),
  createPaymentsMandateUrl: t.field({
    type: CreatePaymentsMandateUrlSuccess,
    args: { input: t.arg({ type: CreatePaymentsMandateUrlInput, required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "CreatePaymentsMandateUrlResult" } },
    resolve: async (_root, { input: { contactId, identityId } }, ctx) => {
      const id = moneybirdContactId(contactId, ["input", "contactId"]);
      const url = await ctx.sources.moneybirdContacts.createPaymentsMandateUrl(
        id,
        identityId ? String(identityId) : null,
      );
      return { url, contactId: id };
    },
  }),
  deletePaymentsMandate: t.field({
    type: DeletePaymentsMandateSuccess,
    args: { contactId: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "DeletePaymentsMandateResult" } },
    resolve: async (_root, { contactId }, ctx) => {
      const id = moneybirdContactId(contactId, ["contactId"]);
      await atArgument("contactId", ctx.sources.moneybirdContacts.deletePaymentsMandate(id));
      forget(MoneybirdContactNode, ctx, id);
      return { contactId: id };
    },
  }),
}));

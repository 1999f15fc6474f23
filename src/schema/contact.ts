import {
  archiveContact,
  type ContactKind,
  createContact,
  createMergedContactList,
  deleteContact,
  listOrderedContacts,
  updateContact,
} from "../contacts/index.ts";
import type { GatewayContext } from "../context.ts";
import {
  CONTACT_ORDER_FIELDS,
  type Contact,
  displayName,
  FREEAGENT_SORT_FIELDS,
  FREEAGENT_VIEWS,
} from "../domain/index.ts";
import { ValidationError } from "../errors.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import {
  OrderDirectionEnum,
  offsetConnection,
  orderedContactsConnection,
  pageRequest,
  pageSize,
  providerCursor,
  providerFromCursor,
  selectsTotalCount,
  toConnection,
} from "./connection.ts";
import { ROOT_CONNECTION_NULLABILITY, toGraphQLError, WRITE_ERRORS } from "./errors.ts";
import { givenFields } from "./input.ts";
import { moneybirdValueFilterFields, SepaSequenceTypeEnum } from "./moneybird-contact.ts";
import { successType, writeAt } from "./mutation-result.ts";
import { ProviderEnum } from "./provider.ts";
import {
  ContactConnection,
  ContactInterface,
  FreeAgentContactNode,
  forget,
  MoneybirdContactNode,
  remember,
} from "./refs.ts";

const PostalAddressType = builder.objectRef<NonNullable<Contact["address"]>>("PostalAddress").implement({
  fields: (t) => ({
    line1: t.exposeString("line1", { nullable: true }),
    line2: t.exposeString("line2", { nullable: true }),
    line3: t.exposeString("line3", { nullable: true }),
    city: t.exposeString("city", { nullable: true }),
    region: t.exposeString("region", { nullable: true }),
    postcode: t.exposeString("postcode", { nullable: true }),
    country: t.exposeString("country", { nullable: true }),
  }),
});

ContactInterface.implement({
  description: "An accounting contact, from Moneybird or FreeAgent.",
  interfaces: [builder.nodeInterfaceRef()],
  fields: (t) => ({
    remoteId: t.exposeString("id", { description: "The provider's id." }),
    provider: t.field({ type: ProviderEnum, resolve: (contact) => contact.provider }),
    displayName: t.string({
      description: "The company name, else the person's full name.",
      resolve: (contact) => displayName(contact),
    }),
    companyName: t.exposeString("companyName", { nullable: true }),
    firstName: t.exposeString("firstName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    phone: t.exposeString("phone", { nullable: true }),
    address: t.field({ type: PostalAddressType, nullable: true, resolve: (contact) => contact.address }),
    taxNumber: t.exposeString("taxNumber", { nullable: true }),
    archived: t.exposeBoolean("archived", {
      description: "Moneybird: archived. FreeAgent: hidden (FreeAgent has no archive).",
    }),
    createdAt: t.field({ type: "DateTime", nullable: true, resolve: (contact) => contact.createdAt }),
    updatedAt: t.field({ type: "DateTime", nullable: true, resolve: (contact) => contact.updatedAt }),
    raw: t.field({
      type: "JSON",
      description: "The upstream record as received.",
      resolve: (contact) => contact.raw,
    }),
  }),
});

const FreeAgentViewEnum = builder.enumType("FreeAgentView", {
  values: FREEAGENT_VIEWS,
});
const FreeAgentSortFieldEnum = builder.enumType("FreeAgentSortField", {
  values: FREEAGENT_SORT_FIELDS,
});
const FreeAgentSortInput = builder.inputType("FreeAgentSort", {
  fields: (t) => ({
    field: t.field({ type: FreeAgentSortFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "ASC" }),
  }),
});

const ContactFilterInput = builder.inputType("ContactFilter", {
  description:
    "Filters a provider cannot apply are refused (BAD_USER_INPUT) when that provider is selected: restrict `providers`.",
  fields: (t) => ({
    providers: t.field({ type: [ProviderEnum], description: "Default: MONEYBIRD and FREEAGENT." }),
    query: t.string({ description: "Moneybird only: full-text search." }),
    firstName: t.string({ description: "Moneybird only: case-insensitive exact first name." }),
    lastName: t.string({ description: "Moneybird only: case-insensitive exact last name." }),
    createdAfter: t.field({ type: "DateTime", description: "Moneybird only (exclusive)." }),
    updatedAfter: t.field({
      type: "DateTime",
      description: "Moneybird: updated after (exclusive). FreeAgent: updated_since (inclusive).",
    }),
    includeArchived: t.boolean({
      description: "Include archived Moneybird contacts and hidden FreeAgent ones (FreeAgent view ALL).",
    }),
    ...moneybirdValueFilterFields(t, "Moneybird only: "),
    todo: t.string({
      description:
        "Moneybird only: contacts with an open to-do of this type (a note's todo_type, e.g. contact_email_delivery_failed). Not with the filter fields of Moneybird's filter endpoint (names, times, contactType, …).",
    }),
    contactField: t.string({
      description:
        "Moneybird only, with contactValue: contacts whose field (one of those `query` searches, e.g. city) is contactValue, case-insensitive. Not with the filter endpoint's fields.",
    }),
    contactValue: t.string({ description: "Moneybird only: the value contactField must have." }),
    freeAgentView: t.field({ type: FreeAgentViewEnum, description: "FreeAgent only. Default ACTIVE." }),
    freeAgentSort: t.field({ type: FreeAgentSortInput, description: "FreeAgent only. Default NAME ASC." }),
  }),
});

const ContactOrderFieldEnum = builder.enumType("ContactOrderField", {
  values: CONTACT_ORDER_FIELDS,
});
const ContactOrderInput = builder.inputType("ContactOrder", {
  description:
    "NAME is the display name, case and accents ignored; CREATED_AT and UPDATED_AT the provider's timestamps. Ties are broken by provider (FreeAgent first), then id.",
  fields: (t) => ({
    field: t.field({ type: ContactOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "ASC" }),
  }),
});

/** The node ref, and so the loader, of a contact's concrete type. */
const contactNode = (kind: ContactKind) =>
  kind === "MoneybirdContact" ? MoneybirdContactNode : FreeAgentContactNode;

/**
 * The merged connection's nodes are typed as the Contact interface, which the dataloader plugin's
 * `cacheResolved` does not see: prime each concrete type's loader here, so a contact listed here
 * costs no further call when a person's or note's `contact` asks for it.
 */
function primeContactLoaders(listed: readonly Contact[], ctx: GatewayContext): void {
  for (const contact of listed) {
    const loader = contactNode(contact.kind).getDataloader(ctx);
    loader.prime(contact.id, contact as never);
  }
}

builder.queryField("contacts", (t) =>
  t.field({
    type: ContactConnection,
    nullable: true,
    description: `Moneybird contacts, then FreeAgent contacts, as one connection. When a provider fails after the page already holds contacts, the page ends there with hasNextPage true and the failure in errors, so following endCursor never skips a provider. With orderBy, the selected providers' contacts in that one order instead. ${ROOT_CONNECTION_NULLABILITY}`,
    args: {
      filter: t.arg({ type: ContactFilterInput }),
      orderBy: t.arg({
        type: ContactOrderInput,
        description:
          "Orders all selected providers' contacts as one list. Only where the store (or a fresh mirror) holds every selected provider's contacts, and with the filters providers, includeArchived, createdAfter and updatedAfter only; otherwise BAD_USER_INPUT. A cursor is only valid for the order that made it.",
      }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: async (_root, { filter, orderBy, first, after }, ctx, info) => {
      if (orderBy) {
        const connection = orderedContactsConnection(orderBy);
        const request = { ...pageRequest({ first, after }, connection), countTotal: selectsTotalCount(info) };
        const page = await listOrderedContacts(ctx.sources, givenFields(filter), orderBy, request);
        primeContactLoaders(page.items, ctx);
        return offsetConnection(page, request, connection);
      }
      const limit = pageSize(first);
      const list = createMergedContactList(ctx.sources, givenFields(filter));
      const start = after ? providerFromCursor(after, list.providers) : null;
      const page = await list.page(start, limit);
      const partialError = page.failure && toGraphQLError(page.failure, { path: [info.path.key] });
      if (partialError) ctx.partialErrors.push(partialError);
      primeContactLoaders(
        page.items.map((item) => item.contact),
        ctx,
      );
      return toConnection(
        page.items.map((item) => ({ cursor: providerCursor(item), node: item.contact })),
        page.hasNextPage,
        start !== null,
        page.totalCount,
      );
    },
  }),
);

const PostalAddressInput = builder.inputType("PostalAddressInput", {
  description: "Moneybird stores line1, line2, city, postcode and country; FreeAgent all seven.",
  fields: (t) => ({
    line1: t.string(),
    line2: t.string(),
    line3: t.string({ description: "FreeAgent only." }),
    city: t.string(),
    region: t.string({ description: "FreeAgent only." }),
    postcode: t.string(),
    country: t.string({ description: "Moneybird: ISO two-letter code (NL). FreeAgent: country name." }),
  }),
});
const CustomFieldValueInput = builder.inputType("CustomFieldValueInput", {
  fields: (t) => ({
    id: t.id({ required: true }),
    value: t.string({ description: "null (or left out) clears the field's value." }),
  }),
});
const NewContactPersonInput = builder.inputType("NewContactPersonInput", {
  fields: (t) => ({ firstName: t.string({ required: true }), lastName: t.string({ required: true }) }),
});

const MoneybirdSepaInput = builder.inputType("MoneybirdSepaInput", {
  description:
    "Moneybird's SEPA direct debit details; fields left out are unchanged, null clears one. With active true, Moneybird requires iban, ibanAccountName, mandateId and mandateDate.",
  fields: (t) => ({
    active: t.boolean(),
    iban: t.string({ description: "A valid IBAN." }),
    ibanAccountName: t.string(),
    bic: t.string({ description: "A valid BIC." }),
    mandateId: t.string({ description: "Unique in the administration." }),
    mandateDate: t.string({ description: "A date in the past, e.g. 2024-06-30." }),
    sequenceType: t.field({ type: SepaSequenceTypeEnum }),
  }),
});

const contactWriteFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, "InputObject">) => ({
  companyName: t.string({ description: "Moneybird: company_name. FreeAgent: organisation_name." }),
  firstName: t.string(),
  lastName: t.string(),
  email: t.string({
    description:
      "FreeAgent: email. Moneybird: written to send_invoices_to_email, where it is read from (give it or sendInvoicesToEmail, not both).",
  }),
  phone: t.string(),
  address: t.field({ type: PostalAddressInput }),
  taxNumber: t.string({ description: "Moneybird: tax_number. FreeAgent: sales_tax_registration_number." }),
  customerId: t.string({ description: "Moneybird only; assigned by Moneybird when absent." }),
  attention: t.string({ description: "Moneybird only: send_invoices_to_attention (read from it too)." }),
  chamberOfCommerce: t.string({ description: "Moneybird only." }),
  bankAccount: t.string({ description: "Moneybird only." }),
  deliveryMethod: t.string({
    description: "Moneybird only: Email, Simplerinvoicing, Peppol, Manual or Post.",
  }),
  sendInvoicesToEmail: t.string({ description: "Moneybird only: one or more addresses, comma-separated." }),
  sendEstimatesToEmail: t.string({ description: "Moneybird only." }),
  sendEstimatesToAttention: t.string({ description: "Moneybird only." }),
  emailUbl: t.boolean({ description: "Moneybird only: attach a UBL file to invoices sent by email." }),
  directDebit: t.boolean({ description: "Moneybird only: collect invoices by SEPA direct debit." }),
  sepa: t.field({
    type: MoneybirdSepaInput,
    description: "Moneybird only; null clears it and switches SEPA off.",
  }),
  invoiceWorkflowId: t.id({ description: "Moneybird only." }),
  estimateWorkflowId: t.id({ description: "Moneybird only." }),
  siIdentifier: t.string({ description: "Moneybird only: Peppol / e-invoicing identifier." }),
  siIdentifierType: t.string({ description: "Moneybird only: its scheme, e.g. 0106." }),
  customFields: t.field({
    type: [CustomFieldValueInput],
    description:
      "Moneybird only: the values to set; the others are unchanged. A value null clears that field; the list itself cannot be null (name the fields to clear).",
  }),
  mobile: t.string({ description: "FreeAgent only." }),
  billingEmail: t.string({ description: "FreeAgent only." }),
  chargeSalesTax: t.string({ description: "FreeAgent only: Auto, Always or Never." }),
  locale: t.string({ description: "FreeAgent only." }),
  defaultPaymentTermsInDays: t.int({ description: "FreeAgent only." }),
  usesContactInvoiceSequence: t.boolean({ description: "FreeAgent only." }),
  contactNameOnInvoices: t.boolean({ description: "FreeAgent only." }),
  status: t.string({ description: "FreeAgent only: Active or Hidden." }),
});

const CreateContactInput = builder.inputType("CreateContactInput", {
  description:
    "`provider` picks the upstream. A field the chosen provider does not store is a ValidationError.",
  fields: (t) => ({
    provider: t.field({ type: ProviderEnum, required: true }),
    ...contactWriteFields(t),
    contactPerson: t.field({
      type: NewContactPersonInput,
      description: "Moneybird only: a first contact person.",
    }),
  }),
});

const UpdateContactInput = builder.inputType("UpdateContactInput", {
  description: "Fields left out are unchanged; null clears a field.",
  fields: (t) => ({ id: t.id({ required: true }), ...contactWriteFields(t) }),
});

const CreateContactSuccess = successType("CreateContactSuccess", "contact", ContactInterface);
const UpdateContactSuccess = successType("UpdateContactSuccess", "contact", ContactInterface);
const ArchiveContactSuccess = builder
  .objectRef<{ contactId: string; contact: Contact | string }>("ArchiveContactSuccess")
  .implement({
    fields: (t) => ({
      contactId: t.exposeID("contactId"),
      contact: t.field({
        type: ContactInterface,
        nullable: true,
        description:
          "The archived contact. Moneybird answers an archive without it, so it is read only when selected; null (with the error in `errors`) if that read fails: the archive itself landed.",
        resolve: (result, _args, ctx) =>
          typeof result.contact === "string"
            ? MoneybirdContactNode.getDataloader(ctx).load(result.contact)
            : result.contact,
      }),
    }),
  });
const DeleteContactSuccess = builder
  .objectRef<{ deletedId: string; archived: boolean; contact: Contact | null }>("DeleteContactSuccess")
  .implement({
    fields: (t) => ({
      deletedId: t.exposeID("deletedId"),
      archived: t.exposeBoolean("archived", {
        description: "True when Moneybird archived the contact instead of deleting it (it has documents).",
      }),
      contact: t.field({
        type: ContactInterface,
        nullable: true,
        description: "The archived contact, when it was archived.",
        resolve: (result) => result.contact,
      }),
    }),
  });

const CONTACT_KINDS = ["MoneybirdContact", "FreeAgentContact"] as const;

builder.mutationFields((t) => ({
  createContact: t.field({
    type: CreateContactSuccess,
    args: { input: t.arg({ type: CreateContactInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_root, { input: { provider, ...fields } }, ctx) => {
      const contact = await createContact(ctx.sources, provider, fields);
      return { contact: remember(contactNode(contact.kind), ctx, contact.id, contact) };
    },
  }),
  updateContact: t.field({
    type: UpdateContactSuccess,
    args: { input: t.arg({ type: UpdateContactInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { id, ...patch } }, ctx) =>
      writeAt(id, ["input", "id"], CONTACT_KINDS, async ({ typename, id: remoteId }) => {
        const contact = await updateContact(ctx.sources, typename, remoteId, patch);
        return { contact: remember(contactNode(typename), ctx, remoteId, contact) };
      }),
  }),
  archiveContact: t.field({
    type: ArchiveContactSuccess,
    description: "Moneybird: archives the contact. FreeAgent: hides it (FreeAgent's status Hidden).",
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], CONTACT_KINDS, async ({ typename, id: remoteId }) => {
        const hidden = await archiveContact(ctx.sources, typename, remoteId);
        if (hidden) remember(contactNode(typename), ctx, remoteId, hidden);
        else forget(contactNode(typename), ctx, remoteId);
        // Moneybird answers without the contact: the success reads it by id when selected.
        return { contactId: String(id), contact: hidden ?? remoteId };
      }),
  }),
  deleteContact: t.field({
    type: DeleteContactSuccess,
    description: "Moneybird archives a contact it cannot delete; `archived` says which happened.",
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], CONTACT_KINDS, async ({ typename, id: remoteId }) => {
        const { archived, contact } = await deleteContact(ctx.sources, typename, remoteId);
        if (contact) remember(contactNode(typename), ctx, remoteId, contact);
        else forget(contactNode(typename), ctx, remoteId);
        return { deletedId: String(id), archived, contact };
      }),
  }),
}));

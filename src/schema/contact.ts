import type { GraphQLResolveInfo } from "graphql";
import type { GatewayContext } from "../context.ts";
import {
  type Contact,
  type CreateFreeAgentContact,
  type CreateMoneybirdContact,
  displayName,
  FREEAGENT_SORT_FIELDS,
  FREEAGENT_VIEWS,
  type Page,
  type PageRequest,
  type Provider,
} from "../domain/index.ts";
import { BadUserInputError, UpstreamError, ValidationError } from "../errors.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import {
  type ConnectionShape,
  OrderDirectionEnum,
  pageSize,
  providerCursor,
  providerFromCursor,
  toConnection,
} from "./connection.ts";
import { ROOT_CONNECTION_NULLABILITY, toGraphQLError, WRITE_ERRORS } from "./errors.ts";
import { givenFields } from "./input.ts";
import { atArgument, idAt, successType } from "./mutation-result.ts";
import { ProviderEnum } from "./provider.ts";
import {
  ContactConnection,
  ContactInterface,
  FreeAgentContactNode,
  forget,
  MoneybirdContactNode,
  remember,
} from "./refs.ts";

type AccountingProvider = Exclude<Provider, "PRODUCTIVE">;
/** The merged connection's order: all of Moneybird's contacts, then all of FreeAgent's. */
const CONTACT_PROVIDERS: readonly AccountingProvider[] = ["MONEYBIRD", "FREEAGENT"];

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
    freeAgentView: t.field({ type: FreeAgentViewEnum, description: "FreeAgent only. Default ACTIVE." }),
    freeAgentSort: t.field({ type: FreeAgentSortInput, description: "FreeAgent only. Default NAME ASC." }),
  }),
});
type ContactFilterArgs =
  typeof ContactFilterInput extends PothosSchemaTypes.InputObjectRef<BuilderTypes, infer T> ? T : never;

const MONEYBIRD_ONLY_FILTERS = ["query", "firstName", "lastName", "createdAfter"] as const;
const FREEAGENT_ONLY_FILTERS = ["freeAgentView", "freeAgentSort"] as const;

type ProviderLister = [AccountingProvider, (page: PageRequest) => Promise<Page<Contact>>];

/** The selected providers' list calls, in connection order, after refusing filters a selected provider cannot apply. */
function providerListers(
  filter: ContactFilterArgs | null | undefined,
  ctx: GatewayContext,
): ProviderLister[] {
  const given = givenFields(filter);
  const selected: readonly Provider[] = given.providers ?? CONTACT_PROVIDERS;
  if (selected.includes("PRODUCTIVE")) {
    throw new BadUserInputError(
      "contacts come from MONEYBIRD and FREEAGENT; Productive companies are under `companies`",
    );
  }
  const refuse = (
    fields: readonly (keyof ContactFilterArgs)[],
    only: AccountingProvider,
    other: AccountingProvider,
  ) => {
    const used = fields.filter((field) => given[field] !== undefined);
    if (used.length > 0 && selected.includes(other)) {
      throw new BadUserInputError(
        `${used.join(", ")} can only filter ${only} contacts; set providers: [${only}] to use ${used.length > 1 ? "them" : "it"}`,
      );
    }
  };
  refuse(MONEYBIRD_ONLY_FILTERS, "MONEYBIRD", "FREEAGENT");
  refuse(FREEAGENT_ONLY_FILTERS, "FREEAGENT", "MONEYBIRD");
  if (given.includeArchived && given.freeAgentView && selected.includes("FREEAGENT")) {
    throw new BadUserInputError(
      "includeArchived and freeAgentView both choose FreeAgent's view: set only one",
    );
  }

  return CONTACT_PROVIDERS.filter((provider) => selected.includes(provider)).map(
    (provider): ProviderLister =>
      provider === "MONEYBIRD"
        ? [
            provider,
            (page) =>
              ctx.sources.moneybirdContacts.list(
                {
                  query: given.query,
                  firstName: given.firstName,
                  lastName: given.lastName,
                  createdAfter: given.createdAfter,
                  updatedAfter: given.updatedAfter,
                  includeArchived: given.includeArchived,
                },
                page,
              ),
          ]
        : [
            provider,
            (page) =>
              ctx.sources.freeAgentContacts.list(
                {
                  view: given.freeAgentView ?? (given.includeArchived ? "ALL" : undefined),
                  sort: given.freeAgentSort,
                  updatedAfter: given.updatedAfter,
                },
                page,
              ),
          ],
  );
}

/**
 * One connection over several providers: each provider's contacts in its own order, providers one
 * after another. The cursor names a provider and an offset in it, so a page only calls the
 * providers it reaches. When a provider fails after the page already holds contacts, the page ends
 * there (hasNextPage true, the failure in `errors`); when it fails before, the field fails.
 */
async function mergedContacts(
  filter: ContactFilterArgs | null | undefined,
  args: { first?: number | null; after?: string | null },
  ctx: GatewayContext,
  info: GraphQLResolveInfo,
): Promise<ConnectionShape<Contact>> {
  const limit = pageSize(args.first);
  const listers = providerListers(filter, ctx);
  const providers = listers.map(([provider]) => provider);
  const start = args.after ? providerFromCursor(args.after) : null;
  if (start && !providers.includes(start.provider as AccountingProvider)) {
    throw new BadUserInputError(
      `the cursor "${args.after}" belongs to a provider this query does not select`,
    );
  }

  const edges: ConnectionShape<Contact>["edges"] = [];
  const totals = new Map<AccountingProvider, number | null>();
  let hasNextPage = false;
  const firstIndex = start ? providers.indexOf(start.provider as AccountingProvider) : 0;

  for (let index = firstIndex; index < providers.length; index++) {
    const [provider, list] = listers[index] as ProviderLister;
    const offset = start && index === firstIndex ? start.offset + 1 : 0;
    const remaining = limit - edges.length;
    // A full page still needs to know whether anything follows: ask the next provider for one item.
    const request = { offset, limit: remaining > 0 ? remaining : 1 };
    let page: Page<Contact>;
    try {
      page = await list(request);
    } catch (error) {
      // Never skip past a failing provider (a client following endCursor would miss its contacts):
      // serve what this page has so far and let the next page start at the failing provider again.
      if (!(error instanceof UpstreamError) || edges.length === 0) throw error;
      ctx.partialErrors.push(
        toGraphQLError(error, { path: [info.path.key] }) as NonNullable<ReturnType<typeof toGraphQLError>>,
      );
      hasNextPage = true;
      break;
    }
    totals.set(provider, page.totalCount);
    if (remaining <= 0) {
      if (page.items.length === 0) continue;
      hasNextPage = true;
      break;
    }
    page.items.forEach((node, i) => {
      edges.push({ cursor: providerCursor(provider, offset + i), node });
    });
    primeContactLoaders(page.items, ctx);
    if (page.hasNextPage) {
      hasNextPage = true;
      break;
    }
  }

  const knownTotals = providers.map((provider) => totals.get(provider));
  const totalCount = knownTotals.every((total) => typeof total === "number")
    ? (knownTotals as number[]).reduce((sum, total) => sum + total, 0)
    : null;
  return toConnection(edges, hasNextPage, start !== null, totalCount);
}

/**
 * The merged connection's nodes are typed as the Contact interface, which the dataloader plugin's
 * `cacheResolved` does not see: prime each concrete type's loader here, so a contact listed here
 * costs no further call when a person's or note's `contact` asks for it.
 */
function primeContactLoaders(contacts: Contact[], ctx: GatewayContext): void {
  for (const contact of contacts) {
    const node = contact.kind === "MoneybirdContact" ? MoneybirdContactNode : FreeAgentContactNode;
    node.getDataloader(ctx).prime(contact.id, contact as never);
  }
}

builder.queryField("contacts", (t) =>
  t.field({
    type: ContactConnection,
    nullable: true,
    description: `Moneybird contacts, then FreeAgent contacts, as one connection. When a provider fails after the page already holds contacts, the page ends there with hasNextPage true and the failure in errors, so following endCursor never skips a provider. ${ROOT_CONNECTION_NULLABILITY}`,
    args: { filter: t.arg({ type: ContactFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: (_root, { filter, ...paging }, ctx, info) => mergedContacts(filter, paging, ctx, info),
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
  fields: (t) => ({ id: t.id({ required: true }), value: t.string({ required: true }) }),
});
const NewContactPersonInput = builder.inputType("NewContactPersonInput", {
  fields: (t) => ({ firstName: t.string({ required: true }), lastName: t.string({ required: true }) }),
});

/** Which provider takes a field; a field absent here is taken by both. */
const PROVIDER_ONLY_FIELDS: Record<string, AccountingProvider> = {
  email: "FREEAGENT",
  customerId: "MONEYBIRD",
  attention: "MONEYBIRD",
  chamberOfCommerce: "MONEYBIRD",
  bankAccount: "MONEYBIRD",
  deliveryMethod: "MONEYBIRD",
  sendInvoicesToEmail: "MONEYBIRD",
  sendEstimatesToEmail: "MONEYBIRD",
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
const UNSUPPORTED_HINT: Record<string, string> = {
  email: "Moneybird takes a contact's email address as sendInvoicesToEmail",
};

/** Refuses, with every offending path at once, fields the target provider does not store. */
function forProvider<T>(provider: AccountingProvider, input: Record<string, unknown>): T {
  const address = (input.address ?? {}) as Record<string, unknown>;
  const given = [
    ...Object.keys(input).filter((key) => input[key] !== undefined),
    ...Object.keys(address)
      .filter((key) => address[key] !== undefined)
      .map((key) => `address.${key}`),
  ];
  const unsupported = given.filter((field) => {
    const only = PROVIDER_ONLY_FIELDS[field];
    return only !== undefined && only !== provider;
  });
  if (unsupported.length > 0) {
    throw new ValidationError(
      unsupported.map((field) => ({
        path: field.split("."),
        message: UNSUPPORTED_HINT[field] ?? `${provider} contacts have no ${field}`,
      })),
    );
  }
  return input as T;
}

const contactWriteFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, "InputObject">) => ({
  companyName: t.string({ description: "Moneybird: company_name. FreeAgent: organisation_name." }),
  firstName: t.string(),
  lastName: t.string(),
  email: t.string({ description: "FreeAgent only (Moneybird: sendInvoicesToEmail)." }),
  phone: t.string(),
  address: t.field({ type: PostalAddressInput }),
  taxNumber: t.string({ description: "Moneybird: tax_number. FreeAgent: sales_tax_registration_number." }),
  customerId: t.string({ description: "Moneybird only; assigned by Moneybird when absent." }),
  attention: t.string({ description: "Moneybird only: send_invoices_to_attention." }),
  chamberOfCommerce: t.string({ description: "Moneybird only." }),
  bankAccount: t.string({ description: "Moneybird only." }),
  deliveryMethod: t.string({
    description: "Moneybird only: Email, Simplerinvoicing, Peppol, Manual or Post.",
  }),
  sendInvoicesToEmail: t.string({ description: "Moneybird only: one or more addresses, comma-separated." }),
  sendEstimatesToEmail: t.string({ description: "Moneybird only." }),
  customFields: t.field({ type: [CustomFieldValueInput], description: "Moneybird only." }),
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
const contactLoader = (contact: Contact) =>
  contact.kind === "MoneybirdContact" ? MoneybirdContactNode : FreeAgentContactNode;

builder.mutationFields((t) => ({
  createContact: t.field({
    type: CreateContactSuccess,
    args: { input: t.arg({ type: CreateContactInput, required: true }) },
    errors: { types: [ValidationError, UpstreamError], union: { name: "CreateContactResult" } },
    resolve: async (_root, { input: { provider, ...fields } }, ctx) => {
      if (provider === "PRODUCTIVE") {
        throw new ValidationError([
          { path: ["provider"], message: "Productive has companies, not contacts: use createCompany" },
        ]);
      }
      const contact =
        provider === "MONEYBIRD"
          ? await ctx.sources.moneybirdContacts.create(forProvider<CreateMoneybirdContact>(provider, fields))
          : await ctx.sources.freeAgentContacts.create(forProvider<CreateFreeAgentContact>(provider, fields));
      return { contact: remember(contactLoader(contact), ctx, contact.id, contact) };
    },
  }),
  updateContact: t.field({
    type: UpdateContactSuccess,
    args: { input: t.arg({ type: UpdateContactInput, required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "UpdateContactResult" } },
    resolve: async (_root, { input: { id, ...fields } }, ctx) => {
      const { typename, id: remoteId } = idAt(id, ["input", "id"], ...CONTACT_KINDS);
      const contact =
        typename === "MoneybirdContact"
          ? await ctx.sources.moneybirdContacts.update(remoteId, forProvider("MONEYBIRD", fields))
          : await ctx.sources.freeAgentContacts.update(remoteId, forProvider("FREEAGENT", fields));
      return { contact: remember(contactLoader(contact), ctx, remoteId, contact) };
    },
  }),
  archiveContact: t.field({
    type: ArchiveContactSuccess,
    description: "Moneybird: archives the contact. FreeAgent: hides it (FreeAgent's status Hidden).",
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "ArchiveContactResult" } },
    resolve: async (_root, { id }, ctx) => {
      const { typename, id: remoteId } = idAt(id, ["id"], ...CONTACT_KINDS);
      if (typename === "FreeAgentContact") {
        const hidden = await atArgument(
          "id",
          ctx.sources.freeAgentContacts.update(remoteId, { status: "Hidden" }),
        );
        return { contactId: String(id), contact: remember(FreeAgentContactNode, ctx, remoteId, hidden) };
      }
      await atArgument("id", ctx.sources.moneybirdContacts.archive(remoteId));
      forget(MoneybirdContactNode, ctx, remoteId);
      return { contactId: String(id), contact: remoteId };
    },
  }),
  deleteContact: t.field({
    type: DeleteContactSuccess,
    description: "Moneybird archives a contact it cannot delete; `archived` says which happened.",
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS, union: { name: "DeleteContactResult" } },
    resolve: async (_root, { id }, ctx) => {
      const { typename, id: remoteId } = idAt(id, ["id"], ...CONTACT_KINDS);
      if (typename === "FreeAgentContact") {
        await atArgument("id", ctx.sources.freeAgentContacts.delete(remoteId));
        forget(FreeAgentContactNode, ctx, remoteId);
        return { deletedId: String(id), archived: false, contact: null };
      }
      const { archived, contact } = await atArgument("id", ctx.sources.moneybirdContacts.delete(remoteId));
      if (contact) remember(MoneybirdContactNode, ctx, remoteId, contact);
      else forget(MoneybirdContactNode, ctx, remoteId);
      return { deletedId: String(id), archived, contact };
    },
  }),
}));

import {
  COMPANY_ORDER_FIELDS,
  COMPANY_STATUSES,
  type CompanyContact as CompanyContactType,
} from "../domain/index.ts";
import { ValidationError } from "../errors.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import {
  arrayConnection,
  OrderDirectionEnum,
  offsetConnection,
  pageRequest,
  selectsTotalCount,
} from "./connection.ts";
import { ContactEntryTypeEnum } from "./contact-entry.ts";
import { OWN_CALL_NULLABILITY, ROOT_CONNECTION_NULLABILITY, WRITE_ERRORS } from "./errors.ts";
import { decodeGlobalIdOf } from "./global-id.ts";
import { givenFields } from "./input.ts";
import { rejectClearedRequired, successType, writeAt } from "./mutation-result.ts";
import { CompanyConnection, CompanyNode, ContactEntryConnection, remember } from "./refs.ts";

const CompanyStatusEnum = builder.enumType("CompanyStatus", {
  values: COMPANY_STATUSES,
});

const contactDatumId = { description: "Productive's id of the contact entry the item became." };

const CompanyContactEmail = builder
  .objectRef<CompanyContactType["emails"][number]>("CompanyContactEmail")
  .implement({
    fields: (t) => ({
      name: t.exposeString("name", { nullable: true }),
      email: t.exposeString("email", { nullable: true }),
      contactDatumId: t.exposeString("contactDatumId", { nullable: true, ...contactDatumId }),
    }),
  });
const CompanyContactPhone = builder
  .objectRef<CompanyContactType["phones"][number]>("CompanyContactPhone")
  .implement({
    fields: (t) => ({
      name: t.exposeString("name", { nullable: true }),
      phone: t.exposeString("phone", { nullable: true }),
      contactDatumId: t.exposeString("contactDatumId", { nullable: true, ...contactDatumId }),
    }),
  });
const CompanyContactWebsite = builder
  .objectRef<CompanyContactType["websites"][number]>("CompanyContactWebsite")
  .implement({
    fields: (t) => ({
      name: t.exposeString("name", { nullable: true }),
      website: t.exposeString("website", { nullable: true }),
      contactDatumId: t.exposeString("contactDatumId", { nullable: true, ...contactDatumId }),
    }),
  });
const CompanyContactAddress = builder
  .objectRef<CompanyContactType["addresses"][number]>("CompanyContactAddress")
  .implement({
    fields: (t) => ({
      name: t.exposeString("name", { nullable: true }),
      billingAddress: t.exposeString("billingAddress", {
        nullable: true,
        description: "The street address.",
      }),
      city: t.exposeString("city", { nullable: true }),
      state: t.exposeString("state", { nullable: true }),
      zipcode: t.exposeString("zipcode", { nullable: true }),
      country: t.exposeString("country", { nullable: true }),
      contactDatumId: t.exposeString("contactDatumId", { nullable: true, ...contactDatumId }),
    }),
  });
const CompanyContact = builder.objectRef<CompanyContactType>("CompanyContact").implement({
  fields: (t) => ({
    emails: t.field({ type: [CompanyContactEmail], resolve: (contact) => contact.emails }),
    phones: t.field({ type: [CompanyContactPhone], resolve: (contact) => contact.phones }),
    websites: t.field({ type: [CompanyContactWebsite], resolve: (contact) => contact.websites }),
    addresses: t.field({ type: [CompanyContactAddress], resolve: (contact) => contact.addresses }),
  }),
});

CompanyNode.implement({
  description: "A Productive company (a client).",
  isTypeOf: (value) => (value as { kind?: string }).kind === "Company",
  fields: (t) => ({
    remoteId: t.exposeString("id", { description: "Productive's id." }),
    name: t.exposeString("name"),
    billingName: t.exposeString("billingName", { nullable: true }),
    vat: t.exposeString("vat", { nullable: true }),
    defaultCurrency: t.exposeString("defaultCurrency", { nullable: true }),
    companyCode: t.exposeString("companyCode", { nullable: true }),
    domain: t.exposeString("domain", { nullable: true }),
    description: t.exposeString("description", { nullable: true }),
    buyerReference: t.exposeString("buyerReference", { nullable: true }),
    defaultSubsidiaryId: t.exposeString("defaultSubsidiaryId", {
      nullable: true,
      description: "Productive's id of the company's default subsidiary.",
    }),
    defaultTaxRateId: t.exposeString("defaultTaxRateId", {
      nullable: true,
      description: "Productive's id of the company's default tax rate.",
    }),
    defaultDocumentTypeId: t.exposeString("defaultDocumentTypeId", {
      nullable: true,
      description: "Productive's id of the company's default document type (its invoice template).",
    }),
    dueDays: t.exposeInt("dueDays", { nullable: true }),
    tags: t.exposeStringList("tags"),
    avatarUrl: t.exposeString("avatarUrl", { nullable: true }),
    externalId: t.exposeString("externalId", { nullable: true }),
    customFields: t.field({ type: "JSON", nullable: true, resolve: (company) => company.customFields }),
    contact: t.field({
      type: CompanyContact,
      description:
        "Productive's `contact` attribute: the details written with the company, each with the contact entry it became.",
      resolve: (company) => company.contact,
    }),
    status: t.field({ type: CompanyStatusEnum, resolve: (company) => company.status }),
    archivedAt: t.field({ type: "DateTime", nullable: true, resolve: (company) => company.archivedAt }),
    createdAt: t.field({ type: "DateTime", resolve: (company) => company.createdAt }),
    lastActivityAt: t.field({
      type: "DateTime",
      nullable: true,
      resolve: (company) => company.lastActivityAt,
    }),
    contactEntries: t.loadable({
      type: ContactEntryConnection,
      nullable: true,
      description: `The company's contact entries; all companies in one request are loaded together. ${OWN_CALL_NULLABILITY}`,
      byPath: true,
      args: {
        first: t.arg.int(),
        after: t.arg.string(),
        type: t.arg({ type: [ContactEntryTypeEnum] }),
      },
      load: async (companyIds: string[], ctx, args) => {
        pageRequest(args, "Company.contactEntries");
        const lists = await ctx.sources.contactEntries.listByCompanyIds(companyIds, args.type ?? null);
        return lists.map((entries) => arrayConnection(entries, args, "Company.contactEntries"));
      },
      resolve: (company) => company.id,
    }),
    raw: t.field({
      type: "JSON",
      description: "The upstream record as received.",
      resolve: (company) => company.raw,
    }),
  }),
});

const CompanyOrderFieldEnum = builder.enumType("CompanyOrderField", {
  values: COMPANY_ORDER_FIELDS,
});
const CompanyOrderInput = builder.inputType("CompanyOrder", {
  fields: (t) => ({
    field: t.field({ type: CompanyOrderFieldEnum, required: true }),
    direction: t.field({ type: OrderDirectionEnum, required: true, defaultValue: "ASC" }),
  }),
});

const CompanyDateFilterInput = builder.inputType("CompanyDateFilter", {
  description: "Productive's date operators; several given must all hold.",
  fields: (t) => ({
    eq: t.field({ type: "DateTime" }),
    notEq: t.field({ type: "DateTime" }),
    gt: t.field({ type: "DateTime" }),
    gtEq: t.field({ type: "DateTime" }),
    lt: t.field({ type: "DateTime" }),
    ltEq: t.field({ type: "DateTime" }),
  }),
});

const PRODUCTIVE_IDS = { description: "Productive's ids." };

const CompanyFilterInput = builder.inputType("CompanyFilter", {
  description:
    "Each field maps to one of Productive's documented company filters. A text value may not contain a comma (Productive reads it as a separator).",
  fields: (t) => ({
    ids: t.idList({ description: "Company ids (global)." }),
    companyIds: t.idList({ description: "Company ids (global), as Productive's `company_id` filter." }),
    defaultSubsidiaryIds: t.stringList(PRODUCTIVE_IDS),
    subsidiaryIds: t.stringList(PRODUCTIVE_IDS),
    defaultTaxRateIds: t.stringList(PRODUCTIVE_IDS),
    projectIds: t.stringList(PRODUCTIVE_IDS),
    name: t.string(),
    companyCode: t.string(),
    billingName: t.string(),
    vat: t.string(),
    defaultCurrency: t.string(),
    status: t.field({ type: CompanyStatusEnum }),
    tags: t.stringList({ description: "Companies with any of these tags." }),
    dueDays: t.int(),
    createdAfter: t.field({ type: "DateTime", description: "Same as createdAt.gt." }),
    createdBefore: t.field({ type: "DateTime", description: "Same as createdAt.lt." }),
    createdAt: t.field({ type: CompanyDateFilterInput }),
    archivedAt: t.field({ type: CompanyDateFilterInput }),
    lastActivityAt: t.field({ type: CompanyDateFilterInput }),
  }),
});

builder.queryField("companies", (t) =>
  t.field({
    type: CompanyConnection,
    nullable: true,
    description: ROOT_CONNECTION_NULLABILITY,
    args: {
      filter: t.arg({ type: CompanyFilterInput }),
      orderBy: t.arg({ type: CompanyOrderInput, description: "Default: NAME ASC." }),
      first: t.arg.int(),
      after: t.arg.string(),
    },
    resolve: async (_root, { filter, orderBy, ...paging }, ctx, info) => {
      const request = { ...pageRequest(paging, "companies"), countTotal: selectsTotalCount(info) };
      const { ids, companyIds, createdAt, archivedAt, lastActivityAt, ...conditions } = givenFields(filter);
      const companies = (list: typeof ids) => list?.map((id) => decodeGlobalIdOf(String(id), "Company").id);
      const page = await ctx.sources.companies.list(
        {
          ...conditions,
          ids: companies(ids),
          companyIds: companies(companyIds),
          createdAt: createdAt && givenFields(createdAt),
          archivedAt: archivedAt && givenFields(archivedAt),
          lastActivityAt: lastActivityAt && givenFields(lastActivityAt),
        },
        orderBy ?? { field: "NAME", direction: "ASC" },
        request,
      );
      return offsetConnection(page, request, "companies");
    },
  }),
);

const LABEL = { description: "A label such as Work or Headquarters." };

const CompanyEmailInput = builder.inputType("CompanyEmailInput", {
  fields: (t) => ({ name: t.string(LABEL), email: t.string({ required: true }) }),
});
const CompanyPhoneInput = builder.inputType("CompanyPhoneInput", {
  fields: (t) => ({ name: t.string(LABEL), phone: t.string({ required: true }) }),
});
const CompanyWebsiteInput = builder.inputType("CompanyWebsiteInput", {
  fields: (t) => ({ name: t.string(LABEL), website: t.string({ required: true }) }),
});
const CompanyAddressInput = builder.inputType("CompanyAddressInput", {
  fields: (t) => ({
    name: t.string(LABEL),
    billingAddress: t.string({ description: "The street address." }),
    city: t.string(),
    state: t.string(),
    zipcode: t.string(),
    country: t.string(),
  }),
});
const CompanyContactInput = builder.inputType("CompanyContactInput", {
  description:
    "Contact details written with the company (Productive's `contact` attribute): each item becomes one of its contact entries.",
  fields: (t) => ({
    emails: t.field({ type: [CompanyEmailInput] }),
    phones: t.field({ type: [CompanyPhoneInput] }),
    websites: t.field({ type: [CompanyWebsiteInput] }),
    addresses: t.field({ type: [CompanyAddressInput] }),
  }),
});

const companyReferenceFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, "InputObject">) => ({
  buyerReference: t.string(),
  defaultSubsidiaryId: t.string({ description: "Productive's id of a subsidiary." }),
  defaultTaxRateId: t.string({ description: "Productive's id of a tax rate." }),
  defaultDocumentTypeId: t.string({
    description: "Productive's id of a document type (an invoice template).",
  }),
});

const CreateCompanyInput = builder.inputType("CreateCompanyInput", {
  fields: (t) => ({
    name: t.string({ required: true }),
    billingName: t.string(),
    vat: t.string(),
    defaultCurrency: t.string(),
    companyCode: t.string({ description: "Generated by Productive when absent." }),
    domain: t.string(),
    description: t.string(),
    ...companyReferenceFields(t),
    dueDays: t.int(),
    tags: t.stringList(),
    avatarUrl: t.string(),
    externalId: t.string(),
    customFields: t.field({ type: "JSON" }),
    contact: t.field({ type: CompanyContactInput }),
  }),
});

const UpdateCompanyInput = builder.inputType("UpdateCompanyInput", {
  description: "Fields left out are unchanged; null clears a field.",
  fields: (t) => ({
    id: t.id({ required: true }),
    name: t.string(),
    billingName: t.string(),
    vat: t.string(),
    defaultCurrency: t.string(),
    companyCode: t.string(),
    domain: t.string(),
    description: t.string(),
    ...companyReferenceFields(t),
    dueDays: t.int(),
    tags: t.stringList(),
    avatarUrl: t.string(),
    externalId: t.string(),
    customFields: t.field({ type: "JSON" }),
    contact: t.field({
      type: CompanyContactInput,
      description:
        "Adds these details as new contact entries and keeps them as the `contact` attribute; null empties the attribute (the entries stay).",
    }),
  }),
});

const CreateCompanySuccess = successType("CreateCompanySuccess", "company", CompanyNode);
const UpdateCompanySuccess = successType("UpdateCompanySuccess", "company", CompanyNode);
const ArchiveCompanySuccess = successType("ArchiveCompanySuccess", "company", CompanyNode);
const RestoreCompanySuccess = successType("RestoreCompanySuccess", "company", CompanyNode);

builder.mutationFields((t) => ({
  createCompany: t.field({
    type: CreateCompanySuccess,
    args: { input: t.arg({ type: CreateCompanyInput, required: true }) },
    errors: { types: [ValidationError] },
    resolve: async (_root, { input }, ctx) => {
      const company = await ctx.sources.companies.create(input);
      return { company: remember(CompanyNode, ctx, company.id, company) };
    },
  }),
  updateCompany: t.field({
    type: UpdateCompanySuccess,
    args: { input: t.arg({ type: UpdateCompanyInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { id, ...patch } }, ctx) =>
      writeAt(id, ["input", "id"], "Company", async ({ id: remoteId }) => {
        const company = await ctx.sources.companies.update(remoteId, rejectClearedRequired(patch, "name"));
        return { company: remember(CompanyNode, ctx, remoteId, company) };
      }),
  }),
  archiveCompany: t.field({
    type: ArchiveCompanySuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], "Company", async ({ id: remoteId }) => {
        const company = await ctx.sources.companies.archive(remoteId);
        return { company: remember(CompanyNode, ctx, remoteId, company) };
      }),
  }),
  restoreCompany: t.field({
    type: RestoreCompanySuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], "Company", async ({ id: remoteId }) => {
        const company = await ctx.sources.companies.restore(remoteId);
        return { company: remember(CompanyNode, ctx, remoteId, company) };
      }),
  }),
}));

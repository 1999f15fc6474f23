import { CONTACT_ENTRY_TYPES, CONTACTABLE_TYPES, type ContactEntryOwnerInput } from "../domain/index.ts";
import { ValidationError } from "../errors.ts";
import { type BuilderTypes, builder } from "./builder.ts";
import { offsetConnection, pageRequest, selectsTotalCount } from "./connection.ts";
import { OWN_CALL_NULLABILITY, ROOT_CONNECTION_NULLABILITY, WRITE_ERRORS } from "./errors.ts";
import { decodeGlobalIdOf } from "./global-id.ts";
import { givenFields } from "./input.ts";
import { rejectClearedRequired, successType, writeAt } from "./mutation-result.ts";
import { CompanyNode, ContactEntryConnection, ContactEntryNode, forget, remember } from "./refs.ts";

export const ContactEntryTypeEnum = builder.enumType("ContactEntryType", {
  values: CONTACT_ENTRY_TYPES,
});
const ContactableTypeEnum = builder.enumType("ContactableType", {
  values: CONTACTABLE_TYPES,
});

ContactEntryNode.implement({
  description:
    "A Productive contact entry: an email, phone, website or address of a company, person, invoice, subsidiary or purchase order.",
  isTypeOf: (value) => (value as { kind?: string }).kind === "ContactEntry",
  fields: (t) => ({
    remoteId: t.exposeString("id", { description: "Productive's id." }),
    type: t.field({ type: ContactEntryTypeEnum, resolve: (entry) => entry.type }),
    contactableType: t.field({ type: ContactableTypeEnum, resolve: (entry) => entry.contactableType }),
    contactableId: t.exposeString("contactableId", {
      nullable: true,
      description:
        "Productive's id of the owner (of contactableType). Null when the source was not told it: Productive names it for a company, or when the request named the one owner.",
    }),
    name: t.exposeString("name", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    phone: t.exposeString("phone", { nullable: true }),
    website: t.exposeString("website", { nullable: true }),
    address: t.exposeString("address", { nullable: true }),
    city: t.exposeString("city", { nullable: true }),
    state: t.exposeString("state", { nullable: true }),
    zipcode: t.exposeString("zipcode", { nullable: true }),
    country: t.exposeString("country", { nullable: true }),
    vat: t.exposeString("vat", { nullable: true }),
    billingAddress: t.exposeBoolean("billingAddress", { nullable: true }),
    company: t.field({
      type: CompanyNode,
      nullable: true,
      description: `The company the entry belongs to; null when it belongs to none. Read with the entry when the source sends it, else by id. ${OWN_CALL_NULLABILITY}`,
      // The company record when the source received it with the entry, else its id for the loader.
      resolve: (entry) => entry.company ?? entry.companyId,
    }),
    raw: t.field({
      type: "JSON",
      description: "The upstream record as received.",
      resolve: (entry) => entry.raw,
    }),
  }),
});

const OWNER_IDS = { description: "Entries of these owners (Productive's ids)." };

const ContactEntryFilterInput = builder.inputType("ContactEntryFilter", {
  fields: (t) => ({
    companyIds: t.idList({ description: "Entries of these companies (global ids)." }),
    personIds: t.stringList(OWNER_IDS),
    invoiceIds: t.stringList(OWNER_IDS),
    subsidiaryIds: t.stringList(OWNER_IDS),
    contactableIds: t.stringList({ description: "Entries of these owners of any type (Productive's ids)." }),
    types: t.field({ type: [ContactEntryTypeEnum] }),
    contactableTypes: t.field({ type: [ContactableTypeEnum] }),
  }),
});

builder.queryField("contactEntries", (t) =>
  t.field({
    type: ContactEntryConnection,
    nullable: true,
    description: ROOT_CONNECTION_NULLABILITY,
    args: { filter: t.arg({ type: ContactEntryFilterInput }), first: t.arg.int(), after: t.arg.string() },
    resolve: async (_root, { filter, ...paging }, ctx, info) => {
      const request = { ...pageRequest(paging, "contactEntries"), countTotal: selectsTotalCount(info) };
      const { companyIds, ...conditions } = givenFields(filter);
      const page = await ctx.sources.contactEntries.list(
        { ...conditions, companyIds: companyIds?.map((id) => decodeGlobalIdOf(String(id), "Company").id) },
        request,
      );
      return offsetConnection(page, request, "contactEntries");
    },
  }),
);

const entryValueFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, "InputObject">) => ({
  email: t.string(),
  phone: t.string(),
  website: t.string(),
  address: t.string({ description: "The street address." }),
  city: t.string(),
  state: t.string(),
  zipcode: t.string(),
  country: t.string(),
  vat: t.string(),
  billingAddress: t.boolean(),
});

const CreateContactEntryInput = builder.inputType("CreateContactEntryInput", {
  description: "The owner is given either as companyId, or as contactableType with contactableId.",
  fields: (t) => ({
    companyId: t.id({ description: "The company the entry belongs to (global id)." }),
    contactableType: t.field({ type: ContactableTypeEnum, description: "The type of the owner." }),
    contactableId: t.string({ description: "Productive's id of the owner." }),
    type: t.field({ type: ContactEntryTypeEnum, required: true }),
    name: t.string({ required: true, description: "A label such as Work or Headquarters." }),
    ...entryValueFields(t),
  }),
});

const UpdateContactEntryInput = builder.inputType("UpdateContactEntryInput", {
  description: "Fields left out are unchanged; null clears a field.",
  fields: (t) => ({
    id: t.id({ required: true }),
    type: t.field({ type: ContactEntryTypeEnum }),
    name: t.string(),
    ...entryValueFields(t),
  }),
});

const CreateContactEntrySuccess = successType("CreateContactEntrySuccess", "contactEntry", ContactEntryNode);
const UpdateContactEntrySuccess = successType("UpdateContactEntrySuccess", "contactEntry", ContactEntryNode);
const DeleteContactEntrySuccess = builder
  .objectRef<{ deletedId: string }>("DeleteContactEntrySuccess")
  .implement({
    fields: (t) => ({ deletedId: t.exposeID("deletedId") }),
  });

builder.mutationFields((t) => ({
  createContactEntry: t.field({
    type: CreateContactEntrySuccess,
    args: { input: t.arg({ type: CreateContactEntryInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: async (_root, { input: { companyId, contactableType, contactableId, ...entry } }, ctx) => {
      const created = (owner: ContactEntryOwnerInput) =>
        ctx.sources.contactEntries
          .create({ ...entry, ...owner })
          .then((created) => ({ contactEntry: remember(ContactEntryNode, ctx, created.id, created) }));
      const given = givenFields({ companyId, contactableType, contactableId });
      if (
        given.companyId !== undefined &&
        given.contactableType === undefined &&
        given.contactableId === undefined
      ) {
        return writeAt(given.companyId, ["input", "companyId"], "Company", ({ id }) =>
          created({ companyId: id }),
        );
      }
      if (given.companyId === undefined && given.contactableType && given.contactableId !== undefined) {
        return created({ contactable: { type: given.contactableType, id: given.contactableId } });
      }
      throw new ValidationError(
        ["companyId", "contactableType", "contactableId"].map((field) => ({
          path: [field],
          message: "give the owner as companyId, or as contactableType with contactableId",
        })),
      );
    },
  }),
  updateContactEntry: t.field({
    type: UpdateContactEntrySuccess,
    args: { input: t.arg({ type: UpdateContactEntryInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { id, ...patch } }, ctx) =>
      writeAt(id, ["input", "id"], "ContactEntry", async ({ id: remoteId }) => {
        const updated = await ctx.sources.contactEntries.update(
          remoteId,
          rejectClearedRequired(patch, "type", "name"),
        );
        return { contactEntry: remember(ContactEntryNode, ctx, remoteId, updated) };
      }),
  }),
  deleteContactEntry: t.field({
    type: DeleteContactEntrySuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], "ContactEntry", async ({ id: remoteId }) => {
        await ctx.sources.contactEntries.delete(remoteId);
        forget(ContactEntryNode, ctx, remoteId);
        return { deletedId: String(id) };
      }),
  }),
}));

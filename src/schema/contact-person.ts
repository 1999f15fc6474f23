import { type BuilderTypes, builder } from "./builder.ts";
import { WRITE_ERRORS } from "./errors.ts";
import { splitNestedId } from "./global-id.ts";
import { successType, writeAt } from "./mutation-result.ts";
import { ContactPersonNode, forget, MoneybirdContactNode, nestedKey, remember } from "./refs.ts";

ContactPersonNode.implement({
  description: "A person inside a Moneybird contact.",
  isTypeOf: (value) => (value as { kind?: string }).kind === "ContactPerson",
  fields: (t) => ({
    remoteId: t.exposeString("id", { description: "Moneybird's id." }),
    firstName: t.exposeString("firstName", { nullable: true }),
    lastName: t.exposeString("lastName", { nullable: true }),
    phone: t.exposeString("phone", { nullable: true }),
    email: t.exposeString("email", { nullable: true }),
    department: t.exposeString("department", { nullable: true }),
    version: t.exposeInt("version", { nullable: true }),
    createdAt: t.field({ type: "DateTime", nullable: true, resolve: (person) => person.createdAt }),
    updatedAt: t.field({ type: "DateTime", nullable: true, resolve: (person) => person.updatedAt }),
    contact: t.field({
      type: MoneybirdContactNode,
      description: "The contact the person belongs to (loaded once per request, however many people ask).",
      resolve: (person) => person.contactId,
    }),
    raw: t.field({
      type: "JSON",
      description: "The upstream record as received.",
      resolve: (person) => person.raw,
    }),
  }),
});

const personFields = (t: PothosSchemaTypes.InputFieldBuilder<BuilderTypes, "InputObject">) => ({
  firstName: t.string(),
  lastName: t.string(),
  phone: t.string(),
  email: t.string(),
  department: t.string(),
});

const CreateContactPersonInput = builder.inputType("CreateContactPersonInput", {
  description: "Moneybird requires firstName and lastName.",
  fields: (t) => ({ contactId: t.id({ required: true }), ...personFields(t) }),
});
const UpdateContactPersonInput = builder.inputType("UpdateContactPersonInput", {
  description: "Fields left out are unchanged; null clears a field.",
  fields: (t) => ({ id: t.id({ required: true }), ...personFields(t) }),
});

const CreateContactPersonSuccess = successType(
  "CreateContactPersonSuccess",
  "contactPerson",
  ContactPersonNode,
);
const UpdateContactPersonSuccess = successType(
  "UpdateContactPersonSuccess",
  "contactPerson",
  ContactPersonNode,
);
const DeleteContactPersonSuccess = builder
  .objectRef<{ deletedId: string }>("DeleteContactPersonSuccess")
  .implement({
    fields: (t) => ({ deletedId: t.exposeID("deletedId") }),
  });

builder.mutationFields((t) => ({
  createContactPerson: t.field({
    type: CreateContactPersonSuccess,
    args: { input: t.arg({ type: CreateContactPersonInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { contactId, ...person } }, ctx) =>
      writeAt(contactId, ["input", "contactId"], "MoneybirdContact", async ({ id }) => {
        const created = await ctx.sources.moneybirdContacts.createContactPerson(id, person);
        forget(MoneybirdContactNode, ctx, id);
        return { contactPerson: remember(ContactPersonNode, ctx, nestedKey(created), created) };
      }),
  }),
  updateContactPerson: t.field({
    type: UpdateContactPersonSuccess,
    args: { input: t.arg({ type: UpdateContactPersonInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { id, ...patch } }, ctx) =>
      writeAt(id, ["input", "id"], "ContactPerson", async ({ id: key }) => {
        const { contactId, id: personId } = splitNestedId(key);
        const updated = await ctx.sources.moneybirdContacts.updateContactPerson(contactId, personId, patch);
        forget(MoneybirdContactNode, ctx, contactId);
        return { contactPerson: remember(ContactPersonNode, ctx, key, updated) };
      }),
  }),
  deleteContactPerson: t.field({
    type: DeleteContactPersonSuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], "ContactPerson", async ({ id: key }) => {
        const { contactId, id: personId } = splitNestedId(key);
        await ctx.sources.moneybirdContacts.deleteContactPerson(contactId, personId);
        forget(MoneybirdContactNode, ctx, contactId);
        forget(ContactPersonNode, ctx, key);
        return { deletedId: String(id) };
      }),
  }),
}));

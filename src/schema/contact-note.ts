import { builder } from "./builder.ts";
import { WRITE_ERRORS } from "./errors.ts";
import { splitNestedId } from "./global-id.ts";
import { successType, writeAt } from "./mutation-result.ts";
import { ContactNoteNode, forget, MoneybirdContactNode, nestedKey, remember } from "./refs.ts";

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

const AddContactNoteInput = builder.inputType("AddContactNoteInput", {
  fields: (t) => ({
    contactId: t.id({ required: true }),
    note: t.string({ required: true }),
    todo: t.boolean({ description: "Make it a to-do." }),
    assigneeId: t.id({ description: "Moneybird user to assign the to-do to (makes it a to-do)." }),
  }),
});

const AddContactNoteSuccess = successType("AddContactNoteSuccess", "note", ContactNoteNode);
const DeleteContactNoteSuccess = builder
  .objectRef<{ deletedId: string }>("DeleteContactNoteSuccess")
  .implement({
    fields: (t) => ({ deletedId: t.exposeID("deletedId") }),
  });

builder.mutationFields((t) => ({
  addContactNote: t.field({
    type: AddContactNoteSuccess,
    args: { input: t.arg({ type: AddContactNoteInput, required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { input: { contactId, assigneeId, ...note } }, ctx) =>
      writeAt(contactId, ["input", "contactId"], "MoneybirdContact", async ({ id }) => {
        const added = await ctx.sources.moneybirdContacts.addNote(id, {
          ...note,
          assigneeId: assigneeId === undefined || assigneeId === null ? assigneeId : String(assigneeId),
        });
        forget(MoneybirdContactNode, ctx, id);
        return { note: remember(ContactNoteNode, ctx, nestedKey(added), added) };
      }),
  }),
  deleteContactNote: t.field({
    type: DeleteContactNoteSuccess,
    args: { id: t.arg.id({ required: true }) },
    errors: { types: WRITE_ERRORS },
    resolve: (_root, { id }, ctx) =>
      writeAt(id, ["id"], "ContactNote", async ({ id: key }) => {
        const { contactId, id: noteId } = splitNestedId(key);
        await ctx.sources.moneybirdContacts.deleteNote(contactId, noteId);
        forget(MoneybirdContactNode, ctx, contactId);
        forget(ContactNoteNode, ctx, key);
        return { deletedId: String(id) };
      }),
  }),
}));

import type { GatewayContext } from "../context.ts";
import type {
  Company,
  Contact,
  ContactEntry,
  ContactNote,
  ContactPerson,
  Customer,
  FreeAgentContact,
  MoneybirdContact,
  RecordKind,
} from "../domain/index.ts";
import { NotFoundError } from "../errors.ts";
import { builder } from "./builder.ts";
import { connectionType } from "./connection.ts";
import { splitNestedId } from "./global-id.ts";

/**
 * The node types' refs and their per-request DataLoaders, declared apart from the types' fields so
 * that types referring to each other (a company and its entries) need no circular imports.
 * Every by-id read in the schema goes through these loaders: batched per tick, deduplicated, and
 * primed by any resolver that returns the object (`cacheResolved`), so a record seen in a list
 * costs nothing when it is asked for again by id.
 */

function orNotFound<T>(
  kind: RecordKind,
  ids: readonly string[],
  found: readonly (T | null)[],
): (T | Error)[] {
  return ids.map((id, i) => found[i] ?? new NotFoundError(kind, id));
}

export const CompanyNode = builder.loadableNodeRef("Company", {
  id: { resolve: (company: Company) => company.id },
  load: async (ids: string[], ctx) => orNotFound("Company", ids, await ctx.sources.companies.getByIds(ids)),
  cacheResolved: (company) => company.id,
});

export const ContactEntryNode = builder.loadableNodeRef("ContactEntry", {
  id: { resolve: (entry: ContactEntry) => entry.id },
  load: async (ids: string[], ctx) =>
    orNotFound("ContactEntry", ids, await ctx.sources.contactEntries.getByIds(ids)),
  cacheResolved: (entry) => entry.id,
});

export const MoneybirdContactNode = builder.loadableNodeRef("MoneybirdContact", {
  id: { resolve: (contact: MoneybirdContact) => contact.id },
  load: async (ids: string[], ctx) =>
    orNotFound("MoneybirdContact", ids, await ctx.sources.moneybirdContacts.getByIds(ids)),
  cacheResolved: (contact) => contact.id,
});

export const FreeAgentContactNode = builder.loadableNodeRef("FreeAgentContact", {
  id: { resolve: (contact: FreeAgentContact) => contact.id },
  load: async (ids: string[], ctx) =>
    orNotFound("FreeAgentContact", ids, await ctx.sources.freeAgentContacts.getByIds(ids)),
  cacheResolved: (contact) => contact.id,
});

/** Loads the Moneybird contacts that own nested records (`contactId/id` keys), through the contact loader. */
async function loadNested<T extends { id: string }>(
  kind: "ContactPerson" | "ContactNote",
  keys: string[],
  ctx: Parameters<typeof MoneybirdContactNode.getDataloader>[0],
  pick: (contact: MoneybirdContact) => T[],
): Promise<(T | Error)[]> {
  const parsed = keys.map(splitNestedId);
  const contacts = await MoneybirdContactNode.getDataloader(ctx).loadMany(parsed.map((key) => key.contactId));
  return parsed.map(({ id }, i) => {
    const contact = contacts[i];
    if (contact instanceof Error && !(contact instanceof NotFoundError)) return contact;
    const found =
      contact instanceof Error ? undefined : pick(contact as MoneybirdContact).find((r) => r.id === id);
    return found ?? new NotFoundError(kind, keys[i] as string);
  });
}

export const nestedKey = (record: { contactId: string; id: string }) => `${record.contactId}/${record.id}`;

export const ContactPersonNode = builder.loadableNodeRef("ContactPerson", {
  id: { resolve: (person: ContactPerson) => nestedKey(person) },
  load: (keys: string[], ctx) =>
    loadNested<ContactPerson>("ContactPerson", keys, ctx, (contact) => contact.contactPersons),
  cacheResolved: nestedKey,
});

export const ContactNoteNode = builder.loadableNodeRef("ContactNote", {
  id: { resolve: (note: ContactNote) => nestedKey(note) },
  load: (keys: string[], ctx) =>
    loadNested<ContactNote>("ContactNote", keys, ctx, (contact) => contact.notes),
  cacheResolved: nestedKey,
});

/** A customer across the providers (fields in customer.ts); no store open: no customers. */
export const CustomerNode = builder.loadableNodeRef("Customer", {
  id: { resolve: (customer: Customer) => customer.id },
  load: async (ids: string[], ctx) =>
    orNotFound("Customer", ids, (await ctx.sources.customers?.getByIds(ids)) ?? ids.map(() => null)),
  cacheResolved: (customer) => customer.id,
});

/** An accounting contact from Moneybird or FreeAgent (fields in contact.ts). */
export const ContactInterface = builder.interfaceRef<Contact>("Contact");

export const CompanyConnection = connectionType(CompanyNode, "Company");
export const ContactEntryConnection = connectionType(ContactEntryNode, "ContactEntry");
export const ContactPersonConnection = connectionType(ContactPersonNode, "ContactPerson");
export const ContactConnection = connectionType(ContactInterface, "Contact");

interface KeyedLoader {
  getDataloader(ctx: GatewayContext): { clear(key: string): { prime(key: string, value: never): unknown } };
}

/**
 * After a write: the loader answers with the written record from now on in this request. (Priming
 * alone keeps a record loaded earlier in the same document, which is stale now.)
 */
export function remember<T>(ref: KeyedLoader, ctx: GatewayContext, key: string, record: T): T {
  ref
    .getDataloader(ctx)
    .clear(key)
    .prime(key, record as never);
  return record;
}

/** After a write that changed or removed a record without returning it: the next read goes to the source. */
export function forget(ref: KeyedLoader, ctx: GatewayContext, key: string): void {
  ref.getDataloader(ctx).clear(key);
}

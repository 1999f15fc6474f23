import type { Provider, RawRecord } from "../domain/index.ts";
import { activeScope } from "../http/request-scope.ts";
import type {
  CompanySource,
  ContactEntrySource,
  FreeAgentContactSource,
  MirroredKind,
  MirroredRecord,
  MirrorStore,
  MoneybirdContactSource,
} from "../ports.ts";
import { VIEW_RULES } from "../providers/freeagent/rules.ts";
import { contactFromRecord } from "../providers/moneybird/mapping.ts";
import { ContactRecord } from "../providers/moneybird/records.ts";
import type { MirrorStatus } from "./sync.ts";

/**
 * A mirrored provider's ports: reads come from the mirror when the request allows it
 * (`@mirror(maxAgeSeconds:)`) and the provider's last completed round is at most that old, else
 * live; writes always go live, and the provider's answer is kept in the mirror at once. What the
 * mirror does not hold is always read live: Moneybird's charges and mandates (calls of their own
 * per contact) and FreeAgent's views by role (its records do not say who is a client).
 */

export interface Mirrored {
  status: MirrorStatus;
  store: MirrorStore;
  warn(message: string): void;
}

/**
 * Whether this read of `provider` comes from the mirror; when it does, the request's response
 * tells when that provider was synced (`extensions.mirror`).
 */
export function readsFromMirror(status: MirrorStatus, provider: Provider): boolean {
  const scope = activeScope();
  const maxAge = scope?.mirrorMaxAgeSeconds;
  const syncedAt = status.syncedAt(provider);
  if (!scope || maxAge == null || syncedAt === null || Date.now() - syncedAt > maxAge * 1000) return false;
  scope.mirrorReads.set(provider, new Date(syncedAt).toISOString());
  return true;
}

/** Keeps a write's answer; a mirror that cannot is fixed by the next round, and the write (landed) is not failed for it. */
async function keep({ store, warn }: Mirrored, record: MirroredRecord): Promise<void> {
  await store.keep(record).catch((error: Error) => {
    warn(`mirror: could not keep the answer of a write to ${record.kind} ${record.id} (${error.message})`);
  });
}

async function forget({ store, warn }: Mirrored, kind: MirroredKind, id: string): Promise<void> {
  await store.forget(kind, id).catch((error: Error) => {
    warn(`mirror: could not forget the deleted ${kind} ${id} (${error.message})`);
  });
}

/** Answers `write` and keeps its answer in the mirror. */
const keeping =
  <Args extends unknown[], T extends MirroredRecord>(
    mirrored: Mirrored,
    write: (...args: Args) => Promise<T>,
  ) =>
  async (...args: Args): Promise<T> => {
    const written = await write(...args);
    await keep(mirrored, written);
    return written;
  };

export function mirroredCompanies(
  live: CompanySource,
  mirror: CompanySource,
  mirrored: Mirrored,
): CompanySource {
  const from = () => (readsFromMirror(mirrored.status, "PRODUCTIVE") ? mirror : live);
  return {
    getByIds: (ids) => from().getByIds(ids),
    list: (filter, order, page) => from().list(filter, order, page),
    create: keeping(mirrored, (input) => live.create(input)),
    update: keeping(mirrored, (id, patch) => live.update(id, patch)),
    archive: keeping(mirrored, (id) => live.archive(id)),
    restore: keeping(mirrored, (id) => live.restore(id)),
  };
}

export function mirroredContactEntries(
  live: ContactEntrySource,
  mirror: ContactEntrySource,
  mirrored: Mirrored,
): ContactEntrySource {
  const from = () => (readsFromMirror(mirrored.status, "PRODUCTIVE") ? mirror : live);
  return {
    getByIds: (ids) => from().getByIds(ids),
    listByCompanyIds: (companyIds, types) => from().listByCompanyIds(companyIds, types),
    list: (filter, page) => from().list(filter, page),
    create: keeping(mirrored, (input) => live.create(input)),
    update: keeping(mirrored, (id, patch) => live.update(id, patch)),
    async delete(id) {
      await live.delete(id);
      await forget(mirrored, "ContactEntry", id);
    },
  };
}

type Items = RawRecord[];

/** A Moneybird record's embedded list (`contact_people`, `notes`) with `item` put in place of the one of its id, or added. */
function withItem(record: RawRecord, key: string, item: RawRecord): RawRecord {
  const items = (record[key] as Items | undefined) ?? [];
  const at = items.findIndex((other) => String(other.id) === String(item.id));
  return {
    ...record,
    [key]: at === -1 ? [...items, item] : items.map((other, i) => (i === at ? item : other)),
  };
}

function withoutItem(record: RawRecord, key: string, id: string): RawRecord {
  return {
    ...record,
    [key]: ((record[key] as Items | undefined) ?? []).filter((item) => String(item.id) !== id),
  };
}

export function mirroredMoneybirdContacts(
  live: MoneybirdContactSource,
  mirror: MoneybirdContactSource,
  mirrored: Mirrored,
): MoneybirdContactSource {
  const from = () => (readsFromMirror(mirrored.status, "MONEYBIRD") ? mirror : live);
  /**
   * A write answered with a record inside a contact (a person, a note): the mirror's copy of the
   * contact gets it in place. Its version stays the one stored, so the next round fetches the
   * contact as Moneybird now has it.
   */
  async function patchContact(contactId: string, patch: (record: RawRecord) => RawRecord): Promise<void> {
    try {
      const [stored] = await mirror.getByIds([contactId]);
      if (!stored) return;
      const record = patch(stored.raw);
      await keep(mirrored, contactFromRecord(ContactRecord.parse(record), record));
    } catch (error) {
      mirrored.warn(`mirror: could not update Moneybird contact ${contactId} (${(error as Error).message})`);
    }
  }
  return {
    getByIds: (ids) => from().getByIds(ids),
    getByCustomerId: (customerId) => from().getByCustomerId(customerId),
    listVersions: (filter) => from().listVersions(filter),
    list: (filter, page) => from().list(filter, page),
    create: keeping(mirrored, (input) => live.create(input)),
    update: keeping(mirrored, (id, patch) => live.update(id, patch)),
    async delete(id) {
      const outcome = await live.delete(id);
      if (outcome.contact) await keep(mirrored, outcome.contact);
      else if (outcome.archived) await patchContact(id, (record) => ({ ...record, archived: true }));
      else await forget(mirrored, "MoneybirdContact", id);
      return outcome;
    },
    async archive(id) {
      await live.archive(id);
      await patchContact(id, (record) => ({ ...record, archived: true }));
    },
    async createContactPerson(contactId, input) {
      const person = await live.createContactPerson(contactId, input);
      await patchContact(contactId, (record) => withItem(record, "contact_people", person.raw));
      return person;
    },
    async updateContactPerson(contactId, personId, patch) {
      const person = await live.updateContactPerson(contactId, personId, patch);
      await patchContact(contactId, (record) => withItem(record, "contact_people", person.raw));
      return person;
    },
    async deleteContactPerson(contactId, personId) {
      await live.deleteContactPerson(contactId, personId);
      await patchContact(contactId, (record) => withoutItem(record, "contact_people", personId));
    },
    async addNote(contactId, input) {
      const note = await live.addNote(contactId, input);
      await patchContact(contactId, (record) => withItem(record, "notes", note.raw));
      return note;
    },
    async deleteNote(contactId, noteId) {
      await live.deleteNote(contactId, noteId);
      await patchContact(contactId, (record) => withoutItem(record, "notes", noteId));
    },
    // Not in the mirror: each is a call of its own per contact, which a sync round would multiply.
    listAdditionalCharges: (contactId, includeBilled) => live.listAdditionalCharges(contactId, includeBilled),
    createAdditionalCharge: (contactId, input) => live.createAdditionalCharge(contactId, input),
    getPaymentsMandate: (contactId) => live.getPaymentsMandate(contactId),
    requestPaymentsMandate: (contactId, input) => live.requestPaymentsMandate(contactId, input),
    createPaymentsMandateUrl: (contactId, identityId, workflowId) =>
      live.createPaymentsMandateUrl(contactId, identityId, workflowId),
    deletePaymentsMandate: (contactId) => live.deletePaymentsMandate(contactId),
  };
}

export function mirroredFreeAgentContacts(
  live: FreeAgentContactSource,
  mirror: FreeAgentContactSource,
  mirrored: Mirrored,
): FreeAgentContactSource {
  const from = () => (readsFromMirror(mirrored.status, "FREEAGENT") ? mirror : live);
  return {
    getByIds: (ids) => from().getByIds(ids),
    // A view by role (clients, suppliers, …) needs what only FreeAgent knows.
    list: (filter, page) =>
      (filter.view === undefined || VIEW_RULES[filter.view].roles.length === 0 ? from() : live).list(
        filter,
        page,
      ),
    create: keeping(mirrored, (input) => live.create(input)),
    update: keeping(mirrored, (id, patch) => live.update(id, patch)),
    async delete(id) {
      await live.delete(id);
      await forget(mirrored, "FreeAgentContact", id);
    },
  };
}

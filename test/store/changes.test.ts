import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import SQLite from "better-sqlite3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Change } from "../../src/domain/index.ts";
import { ChangeFeedError } from "../../src/errors.ts";
import { type LocalStore, openStore } from "../../src/store/index.ts";
import { useTestDatabase } from "../support/postgres.ts";

/** A store on each dialect, with a second connection that writes SQL past the store's code. */
interface Backend {
  store: LocalStore;
  sql(statements: string[]): Promise<void>;
  close(): Promise<void>;
}

async function sqliteBackend(): Promise<Backend> {
  const dir = mkdtempSync(join(tmpdir(), "changes-"));
  const file = join(dir, "store.sqlite");
  const store = await openStore({ url: file, seed: false });
  const raw = new SQLite(file);
  return {
    store,
    sql: async (statements) => {
      for (const statement of statements) raw.exec(statement);
    },
    close: async () => {
      raw.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresBackend(url: () => string): () => Promise<Backend> {
  return async () => {
    const store = await openStore({ url: url(), seed: false });
    const raw = new pg.Client({ connectionString: url() });
    await raw.connect();
    return {
      store,
      sql: async (statements) => {
        for (const statement of statements) await raw.query(statement);
      },
      close: async () => {
        await raw.end();
        await store.close();
      },
    };
  };
}

/** Every change after `after`, read in pages of 2 (so paging is exercised too). */
async function changesAfter(store: LocalStore, after: number | null): Promise<Change[]> {
  const all: Change[] = [];
  let position = after;
  for (;;) {
    const page = await store.changes.list(position, 2);
    all.push(...page.changes);
    if (!page.hasNextPage) return all;
    position = page.changes.at(-1)?.sequence ?? position;
  }
}

const head = async (store: LocalStore) => (await changesAfter(store, null)).at(-1)?.sequence ?? 0;
const summary = (changes: Change[]) => changes.map((c) => `${c.kind} ${c.typename} ${c.remoteId}`);

for (const [dialect, open] of [
  ["SQLite", sqliteBackend],
  ["PostgreSQL", postgresBackend(useTestDatabase())],
] as const) {
  describe(`change log (${dialect})`, () => {
    let backend: Backend;
    let store: LocalStore;
    beforeAll(async () => {
      backend = await open();
      store = backend.store;
    });
    afterAll(async () => {
      await backend?.close();
    });

    it("logs creates, updates and deletes of each record table in commit order", async () => {
      const start = await head(store);
      const contact = await store.freeAgentContacts.create({ companyName: "Change Ltd" });
      await store.freeAgentContacts.update(contact.id, { phone: "0123" });
      await store.freeAgentContacts.delete(contact.id);
      const company = await store.companies.create({ name: "Changes Inc" });
      const entry = await store.contactEntries.create({ companyId: company.id, type: "EMAIL", name: "Work" });
      await store.contactEntries.delete(entry.id);
      const moneybird = await store.moneybirdContacts.create({ companyName: "Wijziging B.V." });

      const changes = await changesAfter(store, start);
      expect(summary(changes)).toEqual([
        `CREATED FreeAgentContact ${contact.id}`,
        `UPDATED FreeAgentContact ${contact.id}`,
        `DELETED FreeAgentContact ${contact.id}`,
        `CREATED Company ${company.id}`,
        `CREATED ContactEntry ${entry.id}`,
        `DELETED ContactEntry ${entry.id}`,
        `CREATED MoneybirdContact ${moneybird.id}`,
      ]);
      expect(new Set(changes.map((c) => c.provider))).toEqual(
        new Set(["FREEAGENT", "PRODUCTIVE", "MONEYBIRD"]),
      );
      const sequences = changes.map((c) => c.sequence);
      expect(sequences).toEqual([...sequences].sort((a, b) => a - b));
      expect(new Set(sequences).size).toBe(sequences.length);
      for (const change of changes) expect(Date.now() - Date.parse(change.at)).toBeLessThan(60_000);
    });

    it("logs a Moneybird contact's people and notes as records of their own", async () => {
      const contact = await store.moneybirdContacts.create({ companyName: "Mensen B.V." });
      const start = await head(store);
      const person = await store.moneybirdContacts.createContactPerson(contact.id, {
        firstName: "Jan",
        lastName: "Smit",
      });
      await store.moneybirdContacts.updateContactPerson(contact.id, person.id, { department: "Sales" });
      const note = await store.moneybirdContacts.addNote(contact.id, { note: "Call back" });
      await store.moneybirdContacts.deleteContactPerson(contact.id, person.id);

      const nested = (kind: string, typename: string, id: string) => [
        `UPDATED MoneybirdContact ${contact.id}`,
        `${kind} ${typename} ${contact.id}/${id}`,
      ];
      expect(summary(await changesAfter(store, start))).toEqual([
        ...nested("CREATED", "ContactPerson", person.id),
        ...nested("UPDATED", "ContactPerson", person.id),
        ...nested("CREATED", "ContactNote", note.id),
        ...nested("DELETED", "ContactPerson", person.id),
      ]);
    });

    it("logs no update that leaves the record as it was, and nothing of a rolled-back write", async () => {
      const contact = await store.freeAgentContacts.create({ companyName: "Same Ltd" });
      const start = await head(store);
      await backend.sql([
        `update freeagent_contacts set record = record, domain = null where id = ${contact.id}`,
        "begin",
        `update freeagent_contacts set record = '{"changed":true}' where id = ${contact.id}`,
        `delete from freeagent_contacts where id = ${contact.id}`,
        "rollback",
      ]);
      expect(await changesAfter(store, start)).toEqual([]);
      // The same writes past the store's code, committed, are logged like the store's own.
      await backend.sql([`delete from freeagent_contacts where id = ${contact.id}`]);
      expect(summary(await changesAfter(store, start))).toEqual([`DELETED FreeAgentContact ${contact.id}`]);
    });

    it("pages after a position, which may be past the newest", async () => {
      const start = await head(store);
      const created = [];
      for (const name of ["A Ltd", "B Ltd", "C Ltd"])
        created.push(await store.freeAgentContacts.create({ companyName: name }));
      const first = await store.changes.list(start, 2);
      expect(first.changes.map((c) => c.remoteId)).toEqual(created.slice(0, 2).map((c) => c.id));
      expect(first.hasNextPage).toBe(true);
      const rest = await store.changes.list(first.changes[1]?.sequence ?? 0, 2);
      expect(rest.changes.map((c) => c.remoteId)).toEqual([created[2]?.id]);
      expect(rest.hasNextPage).toBe(false);
      expect(await store.changes.list(start + 1000, 2)).toEqual({ changes: [], hasNextPage: false });
    });

    it("streams the backlog after a position, then each change as it commits, until returned", async () => {
      const start = await head(store);
      const before = await store.freeAgentContacts.create({ companyName: "Backlog Ltd" });
      const watching = await store.changes.watch(start);
      const fromNow = await store.changes.watch(null);
      expect((await watching.next()).value).toMatchObject({ kind: "CREATED", remoteId: before.id });

      const pending = watching.next();
      const later = await store.freeAgentContacts.create({ companyName: "Live Ltd" });
      await store.freeAgentContacts.update(later.id, { phone: "1" });
      expect((await pending).value).toMatchObject({ kind: "CREATED", remoteId: later.id });
      expect((await watching.next()).value).toMatchObject({ kind: "UPDATED", remoteId: later.id });
      expect((await fromNow.next()).value).toMatchObject({ kind: "CREATED", remoteId: later.id });

      const waiting = watching.next();
      await watching.return?.();
      await fromNow.return?.();
      expect(await waiting).toEqual({ value: undefined, done: true });
    });

    it("answers EXPIRED for a position whose following changes were pruned", async () => {
      const start = await head(store);
      await store.freeAgentContacts.create({ companyName: "Old Ltd" });
      await store.changes.prune(Date.now() + 1_000);
      const expired = { name: "ChangeFeedError", code: "EXPIRED" };
      await expect(store.changes.list(start, 10)).rejects.toMatchObject(expired);
      await expect(store.changes.watch(start)).rejects.toBeInstanceOf(ChangeFeedError);
      expect(await store.changes.list(null, 10)).toEqual({ changes: [], hasNextPage: false });
      // The newest position stays valid: a client that resynced follows on from there.
      const newest = start + 1;
      const next = await store.freeAgentContacts.create({ companyName: "New Ltd" });
      expect(summary((await store.changes.list(newest, 10)).changes)).toEqual([
        `CREATED FreeAgentContact ${next.id}`,
      ]);
    });
  });
}

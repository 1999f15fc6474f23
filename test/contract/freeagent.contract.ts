import { describe, expect, it } from "vitest";
import type {
  CreateFreeAgentContact,
  FreeAgentContact,
  FreeAgentContactFilter,
  FreeAgentView,
} from "../../src/domain/index.ts";
import type { FreeAgentContactSource } from "../../src/ports.ts";
import {
  byFoldedText,
  byInstant,
  expectNotFound,
  expectOrdered,
  expectValidationError,
  farAhead,
  freshBackendPerTest,
  idsOf,
  listAll,
  longAgo,
  MISSING_ID,
  walkPages,
} from "./support.ts";

export interface FreeAgentBackend {
  contacts: FreeAgentContactSource;
  close(): Promise<void>;
}

/** Views that need invoices, bills or projects, none of which a contact made through the port has. */
export const ACTIVITY_VIEWS: FreeAgentView[] = [
  "CLIENTS",
  "SUPPLIERS",
  "ACTIVE_PROJECTS",
  "COMPLETED_PROJECTS",
  "OPEN_CLIENTS",
  "OPEN_SUPPLIERS",
];

/** FreeAgent sorts names by organisation, last name and first name, run together. */
const sortName = (contact: FreeAgentContact) =>
  `${contact.companyName ?? ""}${contact.lastName ?? ""}${contact.firstName ?? ""}`;

/**
 * The behaviour every implementation of the FreeAgent port owes the gateway. `setup` gives an
 * empty account; the suite writes only through the port.
 */
export function describeFreeAgentContract(name: string, setup: () => Promise<FreeAgentBackend>): void {
  describe(`FreeAgent contract: ${name}`, () => {
    const backend = freshBackendPerTest(setup);

    const create = (input: CreateFreeAgentContact) => backend().contacts.create(input);
    const list = (filter: FreeAgentContactFilter) => listAll((page) => backend().contacts.list(filter, page));
    const listIds = async (filter: FreeAgentContactFilter) => idsOf(await list(filter));

    it("creates an active contact with the given fields", async () => {
      const input = {
        companyName: "Acme Ltd",
        firstName: "Test",
        lastName: "Me",
        email: "test@example.com",
        billingEmail: "billing@example.com",
        phone: "12345678",
        mobile: "9876543210",
        address: {
          line1: "11 George Street",
          line2: "South Court",
          city: "London",
          region: "Southwark",
          postcode: "SE1 6HA",
          country: "United Kingdom",
        },
        taxNumber: "ST12345",
        defaultPaymentTermsInDays: 30,
      };
      const contact = await create(input);
      expect(contact).toMatchObject({
        ...input,
        kind: "FreeAgentContact",
        provider: "FREEAGENT",
        status: "Active",
        archived: false,
      });
      expect(contact.id).toMatch(/^\d+$/);
      expect(Number.isNaN(Date.parse(contact.createdAt ?? ""))).toBe(false);
      expect(Number.isNaN(Date.parse(contact.updatedAt ?? ""))).toBe(false);
    });

    it("reads by ids in the order asked, with null for a missing id", async () => {
      const a = await create({ companyName: "A Ltd" });
      const b = await create({ firstName: "Bea", lastName: "Brown" });
      const found = await backend().contacts.getByIds([b.id, MISSING_ID, a.id, b.id]);
      expect(found.map((contact) => contact?.id ?? null)).toEqual([b.id, null, a.id, b.id]);
    });

    it("needs an organisation name or a first and last name, and writes nothing otherwise", async () => {
      await expectValidationError(create({}), [
        { path: ["firstName"], message: "First name can't be blank" },
        { path: ["lastName"], message: "Last name can't be blank" },
      ]);
      await expectValidationError(create({ firstName: "Ann", email: "ann@example.com" }), [
        { path: ["lastName"], message: "Last name can't be blank" },
      ]);
      expect(await listIds({ view: "ALL" })).toEqual([]);

      const organisation = await create({ companyName: "Solo Ltd", phone: "1" });
      await expectValidationError(
        backend().contacts.update(organisation.id, { companyName: null, phone: "2" }),
        [
          { path: ["firstName"], message: "First name can't be blank" },
          { path: ["lastName"], message: "Last name can't be blank" },
        ],
      );
      const [unchanged] = await backend().contacts.getByIds([organisation.id]);
      expect(unchanged).toMatchObject({ companyName: "Solo Ltd", phone: "1" });
    });

    it("takes only FreeAgent's statuses and sales tax settings, and writes nothing otherwise", async () => {
      await expectValidationError(create({ companyName: "Bogus Ltd", status: "Bogus" }), [
        { path: ["status"], message: "Status is not included in the list" },
      ]);
      await expectValidationError(create({ companyName: "Taxing Ltd", chargeSalesTax: "Sometimes" }), [
        { path: ["chargeSalesTax"], message: "Charge sales tax is not included in the list" },
      ]);
      expect(await listIds({ view: "ALL" })).toEqual([]);

      const contact = await create({ companyName: "Valid Ltd", chargeSalesTax: "Always" });
      expect(contact).toMatchObject({ status: "Active", chargeSalesTax: "Always" });
      await expectValidationError(backend().contacts.update(contact.id, { status: "Archived", phone: "1" }), [
        { path: ["status"], message: "Status is not included in the list" },
      ]);
      await expectValidationError(backend().contacts.update(contact.id, { status: null }), [
        { path: ["status"], message: "Status is not included in the list" },
      ]);
      const [unchanged] = await backend().contacts.getByIds([contact.id]);
      expect(unchanged).toMatchObject({ status: "Active", phone: null });
      expect(await listIds({ view: "ACTIVE" })).toEqual([contact.id]);

      const hidden = await backend().contacts.update(contact.id, { status: "Hidden", chargeSalesTax: null });
      expect(hidden).toMatchObject({ status: "Hidden", archived: true, chargeSalesTax: null });
      expect(await listIds({ view: "HIDDEN" })).toEqual([contact.id]);
    });

    it("lists active contacts by default, hidden ones in their view, all in ALL, page by page", async () => {
      const active = [];
      for (const n of [1, 2, 3, 4, 5]) active.push(await create({ companyName: `Active ${n} Ltd` }));
      const hidden = await create({ companyName: "Hidden Ltd", status: "Hidden" });
      expect(hidden).toMatchObject({ status: "Hidden", archived: true });

      expect(idsOf(await walkPages((page) => backend().contacts.list({}, page), 2))).toEqual(idsOf(active));
      expect(idsOf(await walkPages((page) => backend().contacts.list({ view: "ALL" }, page), 2))).toEqual(
        idsOf([...active, hidden]),
      );
      expect(await listIds({ view: "HIDDEN" })).toEqual([hidden.id]);
      for (const view of ACTIVITY_VIEWS) expect(await listIds({ view })).toEqual([]);
    });

    it("sorts by name, creation or update time, either way", async () => {
      await create({ companyName: "beta Ltd" });
      await create({ companyName: "Alpha Ltd" });
      await create({ firstName: "Zed", lastName: "Adams" });
      await create({ firstName: "Amy", lastName: "Zimmer" });

      const byName = await list({ sort: { field: "NAME", direction: "ASC" } });
      expect(byName.map(sortName)).toEqual(["AdamsZed", "Alpha Ltd", "beta Ltd", "ZimmerAmy"]);
      expect((await list({})).map((c) => c.id)).toEqual(byName.map((c) => c.id));
      expectOrdered((await list({ sort: { field: "NAME", direction: "DESC" } })).map(sortName), (a, b) =>
        byFoldedText(b, a),
      );

      for (const field of ["CREATED_AT", "UPDATED_AT"] as const) {
        for (const direction of ["ASC", "DESC"] as const) {
          const sign = direction === "ASC" ? 1 : -1;
          const sorted = await walkPages(
            (page) => backend().contacts.list({ sort: { field, direction } }, page),
            3,
          );
          expectOrdered(
            sorted.map((c) => (field === "CREATED_AT" ? c.createdAt : c.updatedAt)),
            (a, b) => sign * byInstant(a, b),
          );
        }
      }
    });

    it("filters by update time, inclusive", async () => {
      const first = await create({ companyName: "First Ltd" });
      const second = await create({ companyName: "Second Ltd" });
      expect(await listIds({ updatedAfter: longAgo() })).toEqual(idsOf([first, second]));
      expect(await listIds({ updatedAfter: farAhead() })).toEqual([]);
      expect(await listIds({ updatedAfter: second.updatedAt ?? "" })).toContain(second.id);
    });

    it("updates only the given fields; null clears one", async () => {
      const contact = await create({
        companyName: "Keep Ltd",
        phone: "1",
        mobile: "2",
        email: "keep@example.com",
      });
      const updated = await backend().contacts.update(contact.id, { phone: "3", mobile: null });
      expect(updated).toMatchObject({
        id: contact.id,
        companyName: "Keep Ltd",
        phone: "3",
        mobile: null,
        email: "keep@example.com",
      });
      expect(byInstant(updated.updatedAt, contact.updatedAt)).toBeGreaterThanOrEqual(0);
      const [reread] = await backend().contacts.getByIds([contact.id]);
      expect(reread).toMatchObject({ phone: "3", mobile: null, createdAt: contact.createdAt });
    });

    it("deletes, and answers NotFoundError for a missing contact", async () => {
      const contact = await create({ companyName: "Gone Ltd" });
      await backend().contacts.delete(contact.id);
      expect(await backend().contacts.getByIds([contact.id])).toEqual([null]);
      await expectNotFound(backend().contacts.delete(contact.id), "FreeAgentContact", contact.id);
      await expectNotFound(
        backend().contacts.update(MISSING_ID, { phone: "1" }),
        "FreeAgentContact",
        MISSING_ID,
      );
    });
  });
}

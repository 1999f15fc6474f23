import { describe, expect, it } from "vitest";
import type {
  CreateMoneybirdContact,
  MoneybirdContact,
  MoneybirdContactFilter,
} from "../../src/domain/index.ts";
import { BadUserInputError } from "../../src/errors.ts";
import type { MoneybirdContactSource } from "../../src/ports.ts";
import {
  byNumericId,
  expectNotFound,
  expectOrdered,
  expectValidationError,
  expectValidationPaths,
  farAhead,
  freshBackendPerTest,
  idsOf,
  listAll,
  longAgo,
  MISSING_ID,
  walkPages,
} from "./support.ts";

export interface MoneybirdBackend {
  /** With Moneybird Payments enabled for the administration. */
  contacts: MoneybirdContactSource;
  close(): Promise<void>;
}

/**
 * The behaviour every implementation of the Moneybird port owes the gateway. `setup` gives an
 * empty administration; the suite writes only through the port.
 */
export function describeMoneybirdContract(name: string, setup: () => Promise<MoneybirdBackend>): void {
  describe(`Moneybird contract: ${name}`, () => {
    const backend = freshBackendPerTest(setup);

    const create = (input: CreateMoneybirdContact) => backend().contacts.create(input);
    const listIds = async (filter: MoneybirdContactFilter) =>
      idsOf(await listAll((page) => backend().contacts.list(filter, page)));
    const reread = async (id: string) => {
      const [contact] = await backend().contacts.getByIds([id]);
      return contact;
    };

    describe("contacts", () => {
      it("creates a contact with the given fields, a customer id, a version and its invoice email", async () => {
        const contact = await create({
          companyName: "Test B.V.",
          address: { line1: "Stationsweg 1", postcode: "3511 AB", city: "Utrecht", country: "NL" },
          phone: "030-1234567",
          taxNumber: "NL123456789B01",
          chamberOfCommerce: "12345678",
          bankAccount: "NL91ABNA0417164300",
          sendInvoicesToEmail: "billing@test.nl,finance@test.nl",
        });
        expect(contact).toMatchObject({
          kind: "MoneybirdContact",
          provider: "MONEYBIRD",
          companyName: "Test B.V.",
          phone: "030-1234567",
          taxNumber: "NL123456789B01",
          chamberOfCommerce: "12345678",
          bankAccount: "NL91ABNA0417164300",
          sendInvoicesToEmail: "billing@test.nl,finance@test.nl",
          email: "billing@test.nl",
          archived: false,
          address: { line1: "Stationsweg 1", postcode: "3511 AB", city: "Utrecht", country: "NL" },
        });
        expect(contact.id).toMatch(/^\d+$/);
        expect(contact.customerId).toBeTruthy();
        expect(contact.version).toBeGreaterThan(0);
        expect(contact.raw).toMatchObject({ id: contact.id });
      });

      it("creates a person contact with its first contact person", async () => {
        const contact = await create({
          firstName: "Henk",
          lastName: "Jansen",
          contactPerson: { firstName: "Ans", lastName: "Jansen" },
        });
        expect(contact).toMatchObject({ companyName: null, firstName: "Henk", lastName: "Jansen" });
        expect(contact.contactPersons).toHaveLength(1);
        expect(contact.contactPersons[0]).toMatchObject({
          firstName: "Ans",
          lastName: "Jansen",
          contactId: contact.id,
        });
      });

      it("reads by ids in the order asked (archived ones too), and by customer id", async () => {
        const a = await create({ companyName: "A" });
        const b = await create({ companyName: "B" });
        await backend().contacts.archive(b.id);
        const found = await backend().contacts.getByIds([b.id, MISSING_ID, a.id, b.id]);
        expect(found.map((contact) => contact?.companyName ?? null)).toEqual(["B", null, "A", "B"]);
        expect(found[0]?.archived).toBe(true);
        expect(a.customerId).not.toBe(b.customerId);
        expect((await backend().contacts.getByCustomerId(b.customerId ?? ""))?.id).toBe(b.id);
        expect(await backend().contacts.getByCustomerId("no such customer")).toBeNull();
      });

      it("walks every page once, in id order", async () => {
        const created: MoneybirdContact[] = [];
        for (const n of [1, 2, 3, 4, 5, 6, 7]) created.push(await create({ companyName: `Company ${n}` }));
        const seen = await walkPages((page) => backend().contacts.list({}, page), 3);
        expect(idsOf(seen)).toEqual(idsOf(created));
        expectOrdered(
          seen.map((contact) => contact.id),
          byNumericId,
        );
        const empty = await backend().contacts.list({ query: "nothing like this" }, { offset: 0, limit: 3 });
        expect(empty.items).toEqual([]);
        expect(empty.hasNextPage).toBe(false);
      });

      it("searches and filters like Moneybird, archived contacts only when asked", async () => {
        const jan = await create({ firstName: "Jan", lastName: "de Vries", address: { city: "Rotterdam" } });
        const jans = await create({
          firstName: "Jansen",
          lastName: "Bakker",
          sendInvoicesToEmail: "jansen@bakker.nl",
        });
        const shop = await create({
          companyName: "Bakkerij Smit",
          customerId: "K-1001",
          taxNumber: "NL999999999B01",
        });
        const gone = await create({ companyName: "Oude Bakker" });
        await backend().contacts.archive(gone.id);

        expect(await listIds({ query: "rotterdam" })).toEqual([jan.id]);
        expect(await listIds({ query: "BAKKER" })).toEqual(idsOf([jans, shop]));
        expect(await listIds({ query: "BAKKER", includeArchived: true })).toEqual(idsOf([jans, shop, gone]));
        expect(await listIds({ query: "k-1001" })).toEqual([shop.id]);
        expect(await listIds({ query: "NL999999999" })).toEqual([shop.id]);
        expect(await listIds({ firstName: "JAN" })).toEqual([jan.id]);
        expect(await listIds({ lastName: "bakker" })).toEqual([jans.id]);
        expect(await listIds({ createdAfter: longAgo() })).toEqual(idsOf([jan, jans, shop]));
        expect(await listIds({ createdAfter: farAhead() })).toEqual([]);
        expect(await listIds({ createdAfter: jan.createdAt ?? "" })).not.toContain(jan.id);
        expect(await listIds({ updatedAfter: longAgo(), includeArchived: true })).toEqual(
          idsOf([jan, jans, shop, gone]),
        );
        expect(await listIds({ updatedAfter: farAhead() })).toEqual([]);
      });

      it("takes the plain list's todo and contact_field/contact_value, and refuses what they cannot mean", async () => {
        const jan = await create({ firstName: "Jan", lastName: "de Vries", address: { city: "Rotterdam" } });
        await create({ companyName: "Rotterdam Haven", address: { city: "Rotterdamsche" } });

        expect(await listIds({ contactField: "city", contactValue: "ROTTERDAM" })).toEqual([jan.id]);
        expect(await listIds({ contactField: "city", contactValue: "Rotter" })).toEqual([]);
        expect(await listIds({ contactField: "lastname", contactValue: "de vries", query: "jan" })).toEqual([
          jan.id,
        ]);
        // No contact written through the API has a to-do of a type (Moneybird sets those).
        expect(await listIds({ todo: "contact_email_delivery_failed" })).toEqual([]);

        const list = (filter: MoneybirdContactFilter) =>
          backend().contacts.list(filter, { offset: 0, limit: 10 });
        for (const refused of [
          { todo: "overdue" },
          { contactField: "city" },
          { contactValue: "Rotterdam" },
          { contactField: "is_trusted", contactValue: "true" },
          { contactField: "city", contactValue: "Rotter\ndam" },
          { contactField: "city", contactValue: "Rotterdam", firstName: "Jan" },
          { todo: "contact_email_delivery_failed", contactType: "COMPANY" as const },
        ]) {
          await expect(list(refused), JSON.stringify(refused)).rejects.toBeInstanceOf(BadUserInputError);
        }
      });

      it("lists every contact's id and version, archived ones only when asked, with the filter's fields", async () => {
        const kept = await create({ firstName: "Henk", lastName: "Jansen" });
        const other = await create({ companyName: "Other B.V." });
        const gone = await create({ companyName: "Gone B.V." });
        await backend().contacts.archive(gone.id);
        const versions = async (filter: Parameters<MoneybirdContactSource["listVersions"]>[0]) =>
          [...(await backend().contacts.listVersions(filter))].sort((a, b) => byNumericId(a.id, b.id));
        const versionOf = async (id: string) => (await reread(id))?.version;

        expect(await versions({})).toEqual([
          { id: kept.id, version: kept.version },
          { id: other.id, version: other.version },
        ]);
        expect(await versions({ includeArchived: true })).toEqual([
          { id: kept.id, version: kept.version },
          { id: other.id, version: other.version },
          { id: gone.id, version: await versionOf(gone.id) },
        ]);
        expect(await versions({ firstName: "henk" })).toEqual([{ id: kept.id, version: kept.version }]);
        expect(await versions({ updatedAfter: farAhead() })).toEqual([]);

        const updated = await backend().contacts.update(kept.id, { phone: "010-1234567" });
        expect(updated.version).toBeGreaterThan(kept.version);
        expect(await versions({ lastName: "Jansen" })).toEqual([{ id: kept.id, version: updated.version }]);
      });

      it("updates only the given fields, clears with null, and moves the version on", async () => {
        const contact = await create({
          companyName: "Kees B.V.",
          phone: "010-1111111",
          address: { line1: "Markt 1", city: "Delft" },
          attention: "Kees",
        });
        const updated = await backend().contacts.update(contact.id, {
          phone: "010-2222222",
          attention: null,
        });
        expect(updated).toMatchObject({
          id: contact.id,
          companyName: "Kees B.V.",
          phone: "010-2222222",
          attention: null,
          customerId: contact.customerId,
          address: { line1: "Markt 1", city: "Delft" },
        });
        expect(updated.version).toBeGreaterThan(contact.version);
        expect(await reread(contact.id)).toMatchObject({ phone: "010-2222222", attention: null });
        const moved = await backend().contacts.update(contact.id, { sendInvoicesToEmail: "kees@kees.nl" });
        expect(moved).toMatchObject({ sendInvoicesToEmail: "kees@kees.nl", email: "kees@kees.nl" });
        expect(moved.version).toBeGreaterThan(updated.version);
      });

      it("writes and reads SEPA, workflows, e-invoicing and attention fields, clears custom field values, and filters by value", async () => {
        const contact = await create({
          companyName: "Sepa B.V.",
          email: "pay@sepa.nl",
          attention: "Finance",
          sendEstimatesToAttention: "Sales",
          emailUbl: false,
          directDebit: true,
          invoiceWorkflowId: "11",
          siIdentifier: "1234567",
          siIdentifierType: "0106",
          deliveryMethod: "Post",
          customFields: [{ id: "4960814000000101", value: "Anna" }],
          sepa: {
            active: true,
            iban: "NL91ABNA0417164300",
            ibanAccountName: "Sepa B.V.",
            mandateId: "M-1",
            mandateDate: "2020-01-31",
            sequenceType: "FRST",
          },
        });
        expect(contact).toMatchObject({
          email: "pay@sepa.nl",
          sendInvoicesToEmail: "pay@sepa.nl",
          attention: "Finance",
          sendEstimatesToAttention: "Sales",
          emailUbl: false,
          directDebit: true,
          invoiceWorkflowId: "11",
          siIdentifier: "1234567",
          siIdentifierType: "0106",
          isTrusted: false,
          hasPaymentsMandate: false,
          sepa: { active: true, iban: "NL91ABNA0417164300", mandateId: "M-1", sequenceType: "FRST" },
          customFields: [{ id: "4960814000000101", value: "Anna" }],
        });
        const other = await create({ firstName: "Piet", lastName: "Post" });
        expect(await listIds({ contactType: "COMPANY" })).toEqual([contact.id]);
        expect(await listIds({ contactType: "PRIVATE_INDIVIDUAL" })).toEqual([other.id]);
        expect(await listIds({ deliveryMethod: "POST" })).toEqual([contact.id]);
        expect(await listIds({ invoiceWorkflowId: "11" })).toEqual([contact.id]);
        expect(await listIds({ trustedType: "NOT_TRUSTED" })).toEqual([contact.id, other.id]);

        const cleared = await backend().contacts.update(contact.id, {
          sepa: null,
          customFields: [{ id: "4960814000000101", value: null }],
        });
        expect(cleared).toMatchObject({
          sepa: { active: false, iban: null, mandateId: null },
          customFields: [],
        });
      });

      it("reports every field error of a write at once", async () => {
        await expectValidationPaths(
          create({ sendInvoicesToEmail: "nope", sepa: { active: true }, deliveryMethod: "Fax" }),
          [
            ["firstName"],
            ["lastName"],
            ["companyName"],
            ["sendInvoicesToEmail"],
            ["deliveryMethod"],
            ["sepa", "iban"],
            ["sepa", "ibanAccountName"],
            ["sepa", "mandateId"],
            ["sepa", "mandateDate"],
          ],
        );
      });

      it("refuses what Moneybird refuses and writes nothing", async () => {
        const existing = await create({ companyName: "Existing", customerId: "C-1" });
        const cases: [CreateMoneybirdContact, { path: string[]; message: string }[]][] = [
          [
            {},
            [
              { path: ["firstName"], message: "is required" },
              { path: ["lastName"], message: "is required" },
              { path: ["companyName"], message: "is required" },
            ],
          ],
          [
            { firstName: "Jan", companyName: " " },
            [
              { path: ["lastName"], message: "is required" },
              { path: ["companyName"], message: "is required" },
            ],
          ],
          [
            { companyName: "X", sendInvoicesToEmail: "not-an-email" },
            [{ path: ["sendInvoicesToEmail"], message: "is invalid" }],
          ],
          [
            { companyName: "X", sendEstimatesToEmail: "a@b.nl, nope" },
            [{ path: ["sendEstimatesToEmail"], message: "is invalid" }],
          ],
          [
            { companyName: "X", customerId: "C-1" },
            [{ path: ["customerId"], message: "has already been taken" }],
          ],
        ];
        for (const [input, fieldErrors] of cases) await expectValidationError(create(input), fieldErrors);
        await expectValidationPaths(create({ companyName: "X", customFields: [{ id: "1", value: "v" }] }), [
          ["customFields"],
        ]);
        expect(await listIds({ includeArchived: true })).toEqual([existing.id]);

        await expectValidationError(
          backend().contacts.update(existing.id, { companyName: null, phone: "lost" }),
          [
            { path: ["firstName"], message: "is required" },
            { path: ["lastName"], message: "is required" },
            { path: ["companyName"], message: "is required" },
          ],
        );
        expect(await reread(existing.id)).toMatchObject({
          companyName: "Existing",
          phone: null,
          version: existing.version,
        });
      });

      it("deletes a contact without documents, archives on request, and answers NotFoundError for a missing one", async () => {
        const contact = await create({ companyName: "Short lived" });
        expect(await backend().contacts.delete(contact.id)).toEqual({ archived: false, contact: null });
        expect(await backend().contacts.getByIds([contact.id])).toEqual([null]);
        await expectNotFound(backend().contacts.delete(contact.id), "MoneybirdContact", contact.id);

        const kept = await create({ companyName: "Kept" });
        await backend().contacts.archive(kept.id);
        expect(await reread(kept.id)).toMatchObject({ archived: true });
        expect(await listIds({})).toEqual([]);

        await expectNotFound(
          backend().contacts.update(MISSING_ID, { phone: "1" }),
          "MoneybirdContact",
          MISSING_ID,
        );
        await expectNotFound(backend().contacts.archive(MISSING_ID), "MoneybirdContact", MISSING_ID);
      });
    });

    describe("contact people", () => {
      it("creates, updates and deletes a contact person inside its contact", async () => {
        const contact = await create({ companyName: "People B.V." });
        const person = await backend().contacts.createContactPerson(contact.id, {
          firstName: "Jan",
          lastName: "Smit",
          email: "jan@people.nl",
          department: "Sales",
        });
        expect(person).toMatchObject({
          kind: "ContactPerson",
          contactId: contact.id,
          firstName: "Jan",
          lastName: "Smit",
        });
        expect((await reread(contact.id))?.contactPersons.map((p) => p.id)).toEqual([person.id]);

        const updated = await backend().contacts.updateContactPerson(contact.id, person.id, {
          department: "Finance",
          phone: "06-12345678",
        });
        expect(updated).toMatchObject({
          id: person.id,
          firstName: "Jan",
          email: "jan@people.nl",
          department: "Finance",
          phone: "06-12345678",
        });
        const cleared = await backend().contacts.updateContactPerson(contact.id, person.id, { phone: null });
        expect(cleared).toMatchObject({ phone: null, department: "Finance" });

        await backend().contacts.deleteContactPerson(contact.id, person.id);
        expect((await reread(contact.id))?.contactPersons).toEqual([]);
      });

      it("requires a first and last name and a valid email, and writes nothing otherwise", async () => {
        const contact = await create({ companyName: "People B.V." });
        await expectValidationError(
          backend().contacts.createContactPerson(contact.id, { firstName: "Jan" }),
          [{ path: ["lastName"], message: "can't be blank" }],
        );
        await expectValidationError(
          backend().contacts.createContactPerson(contact.id, {
            firstName: "Jan",
            lastName: "Smit",
            email: "jan",
          }),
          [{ path: ["email"], message: "is invalid" }],
        );
        expect((await reread(contact.id))?.contactPersons).toEqual([]);
        const person = await backend().contacts.createContactPerson(contact.id, {
          firstName: "Jan",
          lastName: "Smit",
        });
        await expectValidationError(
          backend().contacts.updateContactPerson(contact.id, person.id, {
            firstName: "",
            department: "Lost",
          }),
          [{ path: ["firstName"], message: "can't be blank" }],
        );
        expect((await reread(contact.id))?.contactPersons[0]).toMatchObject({
          firstName: "Jan",
          department: null,
        });
      });

      it("answers NotFoundError for a missing contact or person", async () => {
        const contact = await create({ companyName: "People B.V." });
        await expectNotFound(
          backend().contacts.createContactPerson(MISSING_ID, { firstName: "A", lastName: "B" }),
          "MoneybirdContact",
          MISSING_ID,
        );
        await expectNotFound(
          backend().contacts.updateContactPerson(contact.id, MISSING_ID, { firstName: "A" }),
          "ContactPerson",
          `${contact.id}/${MISSING_ID}`,
        );
        await expectNotFound(
          backend().contacts.deleteContactPerson(contact.id, MISSING_ID),
          "ContactPerson",
          `${contact.id}/${MISSING_ID}`,
        );
      });
    });

    describe("notes", () => {
      it("adds notes and to-dos, and deletes them", async () => {
        const contact = await create({ companyName: "Notes B.V." });
        const note = await backend().contacts.addNote(contact.id, { note: "Pays on time" });
        expect(note).toMatchObject({
          kind: "ContactNote",
          contactId: contact.id,
          note: "Pays on time",
          todo: false,
        });
        const todo = await backend().contacts.addNote(contact.id, { note: "Call back", todo: true });
        expect(todo.todo).toBe(true);
        expect((await reread(contact.id))?.notes.map((n) => n.id)).toEqual([note.id, todo.id]);

        await backend().contacts.deleteNote(contact.id, note.id);
        expect((await reread(contact.id))?.notes.map((n) => n.id)).toEqual([todo.id]);
        await expectNotFound(
          backend().contacts.deleteNote(contact.id, note.id),
          "ContactNote",
          `${contact.id}/${note.id}`,
        );
      });

      it("requires the note's text and a contact", async () => {
        const contact = await create({ companyName: "Notes B.V." });
        await expectValidationError(backend().contacts.addNote(contact.id, { note: " " }), [
          { path: ["note"], message: "can't be blank" },
        ]);
        expect((await reread(contact.id))?.notes).toEqual([]);
        await expectNotFound(
          backend().contacts.addNote(MISSING_ID, { note: "x" }),
          "MoneybirdContact",
          MISSING_ID,
        );
      });
    });

    describe("additional charges", () => {
      it("creates charges and lists the unbilled ones", async () => {
        const contact = await create({ companyName: "Charges B.V." });
        const charge = await backend().contacts.createAdditionalCharge(contact.id, {
          productId: "123456",
          amount: "5 x",
          price: "100",
          period: "20210601..20210630",
          description: "Transaction Costs",
        });
        // The answer carries the description (subscription_additional_charge_response and its examples).
        expect(charge).toMatchObject({
          contactId: contact.id,
          productId: "123456",
          amount: "5 x",
          description: "Transaction Costs",
        });
        expect(Number(charge.price)).toBe(100);
        expect(charge.period.startsWith("202106")).toBe(true);

        const thisMonth = new Date().toISOString().slice(0, 7).replace("-", "");
        const defaulted = await backend().contacts.createAdditionalCharge(contact.id, {
          productId: "123456",
          price: "12.50",
        });
        expect(defaulted.period).toContain(thisMonth);
        expect(defaulted.description).toBeNull();

        expect(idsOf(await backend().contacts.listAdditionalCharges(contact.id, false))).toEqual(
          idsOf([charge, defaulted]),
        );
        await expectNotFound(
          backend().contacts.listAdditionalCharges(MISSING_ID, false),
          "MoneybirdContact",
          MISSING_ID,
        );
        await expectNotFound(
          backend().contacts.createAdditionalCharge(MISSING_ID, { productId: "1", price: "1" }),
          "MoneybirdContact",
          MISSING_ID,
        );
      });
    });

    describe("payments mandates", () => {
      it("has no mandate until the contact sets one up; requests and URLs leave it so", async () => {
        const contact = await create({ companyName: "Mandate B.V.", sendInvoicesToEmail: "pay@mandate.nl" });
        expect(await backend().contacts.getPaymentsMandate(contact.id)).toBeNull();
        await backend().contacts.requestPaymentsMandate(contact.id, { emailMessage: "Please authorise us" });
        const url = await backend().contacts.createPaymentsMandateUrl(contact.id, null);
        expect(url).toMatch(/^https:\/\/.+\/mandate_requests\/[\w-]+$/);
        expect(await backend().contacts.getPaymentsMandate(contact.id)).toBeNull();
        await backend().contacts.deletePaymentsMandate(contact.id);
        expect(await backend().contacts.getPaymentsMandate(contact.id)).toBeNull();
      });
    });
  });
}

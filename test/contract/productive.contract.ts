import { beforeEach, describe, expect, it } from "vitest";
import type {
  Company,
  CompanyFilter,
  CompanyOrder,
  ContactableType,
  CreateCompany,
} from "../../src/domain/index.ts";
import { BadUserInputError } from "../../src/errors.ts";
import type { CompanySource, ContactEntrySource } from "../../src/ports.ts";
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

export interface ProductiveBackend {
  companies: CompanySource;
  contactEntries: ContactEntrySource;
  close(): Promise<void>;
}

const BY_NAME: CompanyOrder = { field: "NAME", direction: "ASC" };

/**
 * The behaviour every implementation of the Productive ports owes the gateway. `setup` gives an
 * empty backend; the suite writes only through the ports.
 */
export function describeProductiveContract(name: string, setup: () => Promise<ProductiveBackend>): void {
  describe(`Productive contract: ${name}`, () => {
    const backend = freshBackendPerTest(setup);

    const createCompany = (input: CreateCompany) => backend().companies.create(input);
    const listCompanies = (filter: CompanyFilter = {}, order: CompanyOrder = BY_NAME) =>
      listAll((page) => backend().companies.list(filter, order, page));
    const companyIds = async (filter: CompanyFilter) => idsOf(await listCompanies(filter));

    describe("companies", () => {
      it("creates a company with every given field, active and timestamped", async () => {
        const input = {
          name: "Acme Robotics",
          billingName: "Acme Robotics GmbH",
          vat: "DE123456789",
          defaultCurrency: "EUR",
          companyCode: "ACME",
          domain: "acme-robotics.com",
          description: "Makes robots",
          dueDays: 30,
          tags: ["partner", "priority"],
        };
        const company = await createCompany(input);
        expect(company).toMatchObject({ ...input, kind: "Company", status: "ACTIVE", archivedAt: null });
        expect(company.id).toMatch(/^\d+$/);
        expect(Number.isNaN(Date.parse(company.createdAt))).toBe(false);
        expect(company.raw).toMatchObject({ id: company.id, type: "companies" });
      });

      it("generates a distinct company code when none is given", async () => {
        const first = await createCompany({ name: "Zephyr Works" });
        const second = await createCompany({ name: "Zephyr Works" });
        expect(first.companyCode).toBeTruthy();
        expect(second.companyCode).toBeTruthy();
        expect(second.companyCode).not.toBe(first.companyCode);
      });

      it("reads by ids in the order asked, with null for a missing id and repeats for a repeated one", async () => {
        const a = await createCompany({ name: "Alpha" });
        const b = await createCompany({ name: "Beta" });
        const found = await backend().companies.getByIds([b.id, MISSING_ID, a.id, b.id]);
        expect(found.map((company) => company?.name ?? null)).toEqual(["Beta", null, "Alpha", "Beta"]);
        expect(await backend().companies.getByIds([])).toEqual([]);
      });

      it("walks every page once, with the total count", async () => {
        const created: Company[] = [];
        for (const n of [5, 3, 7, 1, 6, 2, 4]) created.push(await createCompany({ name: `Company ${n}` }));
        for (const order of [BY_NAME, { field: "CREATED_AT", direction: "DESC" } as const]) {
          const seen = await walkPages((page) => backend().companies.list({}, order, page), 3);
          expect(idsOf(seen)).toEqual(idsOf(created));
        }
        const empty = await backend().companies.list({ name: "nothing like this" }, BY_NAME, {
          offset: 0,
          limit: 3,
        });
        expect(empty).toEqual({ items: [], hasNextPage: false, totalCount: 0 });
      });

      describe("filters", () => {
        let alpha: Company;
        let beta: Company;
        let alphabet: Company;
        beforeEach(async () => {
          alpha = await createCompany({
            name: "Alpha Robotics",
            billingName: "Alpha Robotics GmbH",
            vat: "DE111111111",
            defaultCurrency: "EUR",
            companyCode: "ALPH",
            tags: ["partner", "priority"],
            dueDays: 30,
          });
          beta = await createCompany({
            name: "Beta Foods",
            billingName: "Beta Foods Ltd",
            vat: "GB222222222",
            defaultCurrency: "GBP",
            companyCode: "BETA",
            tags: ["prospect"],
            dueDays: 15,
          });
          alphabet = await createCompany({ name: "alphabet Media", defaultCurrency: "USD", dueDays: 30 });
          alphabet = await backend().companies.archive(alphabet.id);
        });

        it("filters by ids, name, code, billing name, VAT, currency, status, tags and due days", async () => {
          expect(await companyIds({ ids: [alpha.id, alphabet.id, MISSING_ID] })).toEqual(
            idsOf([alpha, alphabet]),
          );
          expect(await companyIds({ name: "ALPHA" })).toEqual(idsOf([alpha, alphabet]));
          expect(await companyIds({ companyCode: "ALPH" })).toEqual(idsOf([alpha]));
          expect(await companyIds({ billingName: "gmbh" })).toEqual(idsOf([alpha]));
          expect(await companyIds({ vat: "GB222222222" })).toEqual(idsOf([beta]));
          expect(await companyIds({ defaultCurrency: "GBP" })).toEqual(idsOf([beta]));
          expect(await companyIds({ status: "ACTIVE" })).toEqual(idsOf([alpha, beta]));
          expect(await companyIds({ status: "ARCHIVED" })).toEqual(idsOf([alphabet]));
          expect(await companyIds({ tags: ["priority", "prospect"] })).toEqual(idsOf([alpha, beta]));
          expect(await companyIds({ dueDays: 30 })).toEqual(idsOf([alpha, alphabet]));
          expect(await companyIds({ name: "alpha", status: "ACTIVE" })).toEqual(idsOf([alpha]));
        });

        it("filters by creation time, exclusive, comparing instants whatever their offsets", async () => {
          const all = idsOf([alpha, beta, alphabet]);
          expect(await companyIds({ createdAfter: longAgo() })).toEqual(all);
          expect(await companyIds({ createdAfter: farAhead() })).toEqual([]);
          expect(await companyIds({ createdBefore: farAhead() })).toEqual(all);
          expect(await companyIds({ createdBefore: longAgo() })).toEqual([]);
          expect(await companyIds({ createdAfter: alpha.createdAt })).not.toContain(alpha.id);
          expect(await companyIds({ createdBefore: alpha.createdAt })).not.toContain(alpha.id);
          const anHourAgoInTokyo = new Date(Date.now() - 3_600_000 + 9 * 3_600_000)
            .toISOString()
            .replace("Z", "+09:00");
          expect(await companyIds({ createdAfter: anHourAgoInTokyo })).toEqual(all);
        });

        it("filters by company ids, default subsidiary, subsidiary, default tax rate and project", async () => {
          const linked = await createCompany({
            name: "Linked",
            defaultSubsidiaryId: "7",
            defaultTaxRateId: "8",
          });
          expect(await companyIds({ companyIds: [beta.id, MISSING_ID] })).toEqual([beta.id]);
          expect(await companyIds({ defaultSubsidiaryIds: ["7", "99"] })).toEqual([linked.id]);
          expect(await companyIds({ subsidiaryIds: ["7"] })).toEqual([linked.id]);
          expect(await companyIds({ defaultTaxRateIds: ["8"] })).toEqual([linked.id]);
          expect(await companyIds({ defaultTaxRateIds: ["7"] })).toEqual([]);
          // Neither backend under contract holds projects.
          expect(await companyIds({ projectIds: ["1"] })).toEqual([]);
          expect(await companyIds({ companyIds: [alpha.id], defaultSubsidiaryIds: ["7"] })).toEqual([]);
        });

        it("filters dates with Productive's operators, inclusive and exclusive", async () => {
          const all = idsOf([alpha, beta, alphabet]);
          const at = alpha.createdAt;
          // Companies created in one millisecond share their instant.
          const createdThen = [alpha, beta, alphabet].filter((company) => company.createdAt === at);
          expect(await companyIds({ createdAt: { eq: at } })).toEqual(idsOf(createdThen));
          expect(await companyIds({ createdAt: { notEq: at } })).toEqual(
            idsOf([alpha, beta, alphabet].filter((company) => !createdThen.includes(company))),
          );
          expect(await companyIds({ createdAt: { gtEq: at } })).toContain(alpha.id);
          expect(await companyIds({ createdAt: { ltEq: at } })).toContain(alpha.id);
          expect(await companyIds({ createdAt: { gt: at } })).not.toContain(alpha.id);
          expect(await companyIds({ createdAt: { lt: at } })).not.toContain(alpha.id);
          expect(await companyIds({ createdAt: { gtEq: longAgo(), ltEq: farAhead() } })).toEqual(all);
          expect(await companyIds({ createdAt: { gt: farAhead() } })).toEqual([]);
          // Companies never archived have no archived_at, which no operator matches.
          expect(await companyIds({ archivedAt: { gt: longAgo() } })).toEqual([alphabet.id]);
          expect(await companyIds({ archivedAt: { lt: longAgo() } })).toEqual([]);
          expect(await companyIds({ lastActivityAt: { gtEq: longAgo() } })).toEqual(all);
          expect(await companyIds({ lastActivityAt: { lt: longAgo() } })).toEqual([]);
        });

        it("refuses a comma inside a filter value, which Productive would read as a separator", async () => {
          const refused = (filter: CompanyFilter) =>
            expect(backend().companies.list(filter, BY_NAME, { offset: 0, limit: 5 })).rejects.toThrow(
              BadUserInputError,
            );
          await refused({ name: "Alpha, Beta" });
          await refused({ billingName: "Ltd," });
          await refused({ tags: ["partner", "a,b"] });
          await refused({ vat: "DE1,GB2" });
          await refused({ defaultSubsidiaryIds: ["1,2"] });
        });
      });

      it("reads and writes the buyer reference and the default subsidiary, tax rate and document type", async () => {
        const references = {
          buyerReference: "BUYER123",
          defaultSubsidiaryId: "11",
          defaultTaxRateId: "12",
          defaultDocumentTypeId: "13",
        };
        const company = await createCompany({ name: "Referenced", ...references });
        expect(company).toMatchObject(references);
        const [reread] = await backend().companies.getByIds([company.id]);
        expect(reread).toMatchObject(references);
        const updated = await backend().companies.update(company.id, {
          buyerReference: null,
          defaultSubsidiaryId: "21",
          defaultDocumentTypeId: null,
        });
        expect(updated).toMatchObject({
          buyerReference: null,
          defaultSubsidiaryId: "21",
          defaultTaxRateId: "12",
          defaultDocumentTypeId: null,
        });
        expect(await createCompany({ name: "Plain" })).toMatchObject({
          buyerReference: null,
          defaultSubsidiaryId: null,
          defaultTaxRateId: null,
          defaultDocumentTypeId: null,
        });
      });

      it("refuses a related id that is no integer, on the input field", async () => {
        await expectValidationError(createCompany({ name: "X", defaultTaxRateId: "abc" }), [
          { path: ["defaultTaxRateId"], message: "is not a number" },
        ]);
        expect(await listCompanies()).toEqual([]);
      });

      it("reads the contact attribute typed, each item with the entry it became; an update adds details", async () => {
        const company = await createCompany({
          name: "Contactable",
          contact: {
            emails: [{ name: "Email", email: "contact@example.com" }],
            addresses: [
              { name: "Headquarters", billingAddress: "Main Street", city: "City", country: "Country" },
            ],
          },
        });
        const [entries = []] = await backend().contactEntries.listByCompanyIds([company.id], null);
        const idOf = (type: string) => entries.find((entry) => entry.type === type)?.id;
        expect(company.contact).toEqual({
          emails: [{ name: "Email", email: "contact@example.com", contactDatumId: idOf("EMAIL") }],
          phones: [],
          websites: [],
          addresses: [
            {
              name: "Headquarters",
              billingAddress: "Main Street",
              city: "City",
              state: null,
              zipcode: null,
              country: "Country",
              contactDatumId: idOf("ADDRESS"),
            },
          ],
        });
        const [reread] = await backend().companies.getByIds([company.id]);
        expect(reread?.contact).toEqual(company.contact);

        const updated = await backend().companies.update(company.id, {
          contact: { phones: [{ name: "Desk", phone: "(555) 123-4567" }] },
        });
        const [after = []] = await backend().contactEntries.listByCompanyIds([company.id], null);
        const phone = after.find((entry) => entry.type === "PHONE");
        expect(phone).toMatchObject({ name: "Desk", phone: "(555) 123-4567", companyId: company.id });
        expect(updated.contact.phones).toEqual([
          { name: "Desk", phone: "(555) 123-4567", contactDatumId: phone?.id },
        ]);
        expect(after).toHaveLength(3);
        const emptied = await backend().companies.update(company.id, { contact: null });
        expect(emptied.contact).toEqual({ emails: [], phones: [], websites: [], addresses: [] });
      });

      it("orders by name (case-insensitively), creation and last activity, either way, ties by id", async () => {
        for (const name of ["delta", "Bravo", "alpha", "Charlie", "bravo"]) await createCompany({ name });
        const names = (companies: Company[]) => companies.map((company) => company.name);
        const ascending = await listCompanies({}, BY_NAME);
        expectOrdered(names(ascending), byFoldedText);
        const bravos = ascending
          .filter((company) => company.name.toLowerCase() === "bravo")
          .map((c) => Number(c.id));
        expect(bravos).toEqual([...bravos].sort((a, b) => a - b));
        expectOrdered(names(await listCompanies({}, { field: "NAME", direction: "DESC" })), (a, b) =>
          byFoldedText(b, a),
        );

        for (const direction of ["ASC", "DESC"] as const) {
          const sign = direction === "ASC" ? 1 : -1;
          const byCreation = await listCompanies({}, { field: "CREATED_AT", direction });
          expectOrdered(
            byCreation.map((company) => company.createdAt),
            (a, b) => sign * byInstant(a, b),
          );
          const byActivity = await listCompanies({}, { field: "LAST_ACTIVITY_AT", direction });
          expectOrdered(
            byActivity.map((company) => company.lastActivityAt),
            (a, b) => sign * byInstant(a, b),
          );
          const paged = await walkPages(
            (page) => backend().companies.list({}, { field: "CREATED_AT", direction }, page),
            2,
          );
          expect(paged.map((company) => company.id)).toEqual(byCreation.map((company) => company.id));
        }
      });

      it("updates only the given fields; null clears one, and null tags become none", async () => {
        const company = await createCompany({
          name: "Gamma",
          billingName: "Gamma Ltd",
          domain: "gamma.io",
          description: "Before",
          dueDays: 14,
          tags: ["partner"],
        });
        const updated = await backend().companies.update(company.id, {
          description: "After",
          billingName: null,
          tags: null,
        });
        expect(updated).toMatchObject({
          id: company.id,
          name: "Gamma",
          domain: "gamma.io",
          dueDays: 14,
          description: "After",
          billingName: null,
          tags: [],
          createdAt: company.createdAt,
        });
        const [reread] = await backend().companies.getByIds([company.id]);
        expect(reread).toMatchObject({ description: "After", billingName: null, domain: "gamma.io" });
        expect(await backend().companies.update(company.id, { domain: null })).toMatchObject({
          domain: null,
        });
      });

      it("archives and restores", async () => {
        const company = await createCompany({ name: "Delta" });
        const archived = await backend().companies.archive(company.id);
        expect(archived.status).toBe("ARCHIVED");
        expect(Number.isNaN(Date.parse(archived.archivedAt ?? ""))).toBe(false);
        const restored = await backend().companies.restore(company.id);
        expect(restored).toMatchObject({ status: "ACTIVE", archivedAt: null, name: "Delta" });
      });

      describe("validation", () => {
        it("reports Productive's errors on the input's fields, every failing field at once", async () => {
          await createCompany({ name: "Owner", domain: "taken-domain.com" });
          const cases: [CreateCompany, { path: string[]; message: string }[]][] = [
            [{ name: "" }, [{ path: ["name"], message: "can't be blank" }]],
            [{ name: "   " }, [{ path: ["name"], message: "can't be blank" }]],
            [{ name: "X", domain: "" }, [{ path: ["domain"], message: "domain can't be empty string" }]],
            [
              { name: "X", domain: "invalid@format" },
              [{ path: ["domain"], message: "domain format not valid" }],
            ],
            [
              { name: "X", domain: "gmail.com" },
              [{ path: ["domain"], message: "public domains are not allowed" }],
            ],
            [
              { name: "X", domain: "Taken-Domain.com" },
              [{ path: ["domain"], message: "domain already taken" }],
            ],
            [
              { name: "", domain: "not a domain" },
              [
                { path: ["name"], message: "can't be blank" },
                { path: ["domain"], message: "domain format not valid" },
              ],
            ],
          ];
          for (const [input, fieldErrors] of cases)
            await expectValidationError(createCompany(input), fieldErrors);
          expect((await listCompanies()).map((company) => company.name)).toEqual(["Owner"]);
          expect(await createCompany({ name: "No domain", domain: null })).toMatchObject({ domain: null });
        });

        it("validates updates and leaves the company unchanged when one fails", async () => {
          await createCompany({ name: "Owner", domain: "owner.com" });
          const company = await createCompany({ name: "Other", domain: "other.com", description: "Kept" });
          await expectValidationError(
            backend().companies.update(company.id, { domain: "OWNER.com", description: "Lost" }),
            [{ path: ["domain"], message: "domain already taken" }],
          );
          await expectValidationError(backend().companies.update(company.id, { name: "" }), [
            { path: ["name"], message: "can't be blank" },
          ]);
          const [unchanged] = await backend().companies.getByIds([company.id]);
          expect(unchanged).toMatchObject({ name: "Other", domain: "other.com", description: "Kept" });
          expect(await backend().companies.update(company.id, { domain: "other.com" })).toMatchObject({
            domain: "other.com",
          });
        });
      });

      it("answers NotFoundError for a write to a missing company", async () => {
        await expectNotFound(backend().companies.update(MISSING_ID, { name: "X" }), "Company", MISSING_ID);
        await expectNotFound(backend().companies.archive(MISSING_ID), "Company", MISSING_ID);
        await expectNotFound(backend().companies.restore(MISSING_ID), "Company", MISSING_ID);
      });
    });

    describe("contact entries", () => {
      it("creates an entry of a company and reads it by ids in the order asked", async () => {
        const company = await createCompany({ name: "Epsilon" });
        const email = await backend().contactEntries.create({
          companyId: company.id,
          type: "EMAIL",
          name: "Work",
          email: "hello@epsilon.io",
        });
        expect(email).toMatchObject({
          kind: "ContactEntry",
          type: "EMAIL",
          contactableType: "COMPANY",
          name: "Work",
          email: "hello@epsilon.io",
          phone: null,
          companyId: company.id,
        });
        const phone = await backend().contactEntries.create({
          companyId: company.id,
          type: "PHONE",
          name: "Desk",
          phone: "+385 1 234 5678",
        });
        const found = await backend().contactEntries.getByIds([phone.id, MISSING_ID, email.id, phone.id]);
        expect(found.map((entry) => entry?.id ?? null)).toEqual([phone.id, null, email.id, phone.id]);
      });

      it("creates the entries of a new company's contact details", async () => {
        const company = await createCompany({
          name: "Zeta",
          contact: {
            emails: [{ name: "Email", email: "contact@zeta.com" }],
            phones: [{ name: "Contact phone", phone: "(555) 123-4567" }],
            websites: [{ name: "Official website", website: "zeta.com" }],
            addresses: [
              {
                name: "Headquarters",
                billingAddress: "Main Street",
                city: "City",
                zipcode: "11111",
                country: "Country",
              },
            ],
          },
        });
        const [entries = []] = await backend().contactEntries.listByCompanyIds([company.id], null);
        const byType = Object.fromEntries(entries.map((entry) => [entry.type, entry]));
        expect(Object.keys(byType).sort()).toEqual(["ADDRESS", "EMAIL", "PHONE", "WEBSITE"]);
        expect(byType.EMAIL).toMatchObject({
          email: "contact@zeta.com",
          companyId: company.id,
          contactableType: "COMPANY",
        });
        expect(byType.PHONE).toMatchObject({ phone: "(555) 123-4567" });
        expect(byType.WEBSITE).toMatchObject({ website: "zeta.com" });
        expect(byType.ADDRESS).toMatchObject({
          address: "Main Street",
          city: "City",
          zipcode: "11111",
          country: "Country",
        });
      });

      it("groups entries by company in the order asked, with the type filter", async () => {
        const x = await createCompany({ name: "X corp" });
        const y = await createCompany({ name: "Y corp" });
        const z = await createCompany({ name: "Z corp" });
        const xEmail = await backend().contactEntries.create({
          companyId: x.id,
          type: "EMAIL",
          name: "E",
          email: "x@x.com",
        });
        const yWebsite = await backend().contactEntries.create({
          companyId: y.id,
          type: "WEBSITE",
          name: "W",
          website: "y.com",
        });
        const xPhone = await backend().contactEntries.create({
          companyId: x.id,
          type: "PHONE",
          name: "P",
          phone: "123",
        });
        const ids = (groups: { id: string }[][]) => groups.map(idsOf);

        expect(
          ids(await backend().contactEntries.listByCompanyIds([y.id, MISSING_ID, x.id, z.id], null)),
        ).toEqual([[yWebsite.id], [], idsOf([xEmail, xPhone]), []]);
        expect(ids(await backend().contactEntries.listByCompanyIds([y.id, x.id], ["PHONE"]))).toEqual([
          [],
          [xPhone.id],
        ]);
        expect(ids(await backend().contactEntries.listByCompanyIds([x.id], ["PHONE", "EMAIL"]))).toEqual([
          idsOf([xEmail, xPhone]),
        ]);
      });

      it("lists with filters, page by page", async () => {
        const x = await createCompany({ name: "X corp" });
        const y = await createCompany({ name: "Y corp" });
        const created = [];
        for (const company of [x, y, x, y, x]) {
          created.push(
            await backend().contactEntries.create({
              companyId: company.id,
              type: "EMAIL",
              name: "E",
              email: "a@b.co",
            }),
          );
        }
        const phone = await backend().contactEntries.create({
          companyId: y.id,
          type: "PHONE",
          name: "P",
          phone: "1",
        });
        const list = (filter: Parameters<ContactEntrySource["list"]>[0]) =>
          walkPages((page) => backend().contactEntries.list(filter, page), 2);

        expect(idsOf(await list({}))).toEqual(idsOf([...created, phone]));
        expect(idsOf(await list({ companyIds: [x.id] }))).toEqual(
          idsOf(created.filter((e) => e.companyId === x.id)),
        );
        expect(idsOf(await list({ types: ["PHONE"] }))).toEqual([phone.id]);
        expect(idsOf(await list({ companyIds: [y.id], types: ["EMAIL"] }))).toEqual(
          idsOf(created.filter((e) => e.companyId === y.id)),
        );
        expect(await list({ contactableTypes: ["COMPANY"] })).toHaveLength(6);
        expect(await list({ contactableTypes: ["PERSON"] })).toEqual([]);
      });

      it("updates only the given fields; null clears one", async () => {
        const company = await createCompany({ name: "Eta" });
        const entry = await backend().contactEntries.create({
          companyId: company.id,
          type: "ADDRESS",
          name: "Office",
          address: "1 Main St",
          city: "Zagreb",
          zipcode: "10000",
        });
        const updated = await backend().contactEntries.update(entry.id, { name: "HQ", zipcode: null });
        expect(updated).toMatchObject({
          id: entry.id,
          name: "HQ",
          address: "1 Main St",
          city: "Zagreb",
          zipcode: null,
        });
        const [reread] = await backend().contactEntries.getByIds([entry.id]);
        expect(reread).toMatchObject({ name: "HQ", city: "Zagreb", zipcode: null, companyId: company.id });
      });

      it("requires a name and changes nothing when it is blank", async () => {
        const company = await createCompany({ name: "Theta" });
        await expectValidationError(
          backend().contactEntries.create({
            companyId: company.id,
            type: "EMAIL",
            name: "",
            email: "a@b.co",
          }),
          [{ path: ["name"], message: "can't be blank" }],
        );
        expect(await backend().contactEntries.listByCompanyIds([company.id], null)).toEqual([[]]);
        const entry = await backend().contactEntries.create({
          companyId: company.id,
          type: "EMAIL",
          name: "Kept",
          email: "a@b.co",
        });
        await expectValidationError(
          backend().contactEntries.update(entry.id, { name: " ", email: "lost@b.co" }),
          [{ path: ["name"], message: "can't be blank" }],
        );
        const [unchanged] = await backend().contactEntries.getByIds([entry.id]);
        expect(unchanged).toMatchObject({ name: "Kept", email: "a@b.co" });
      });

      it("creates entries of every documented owner and filters them by owner", async () => {
        const company = await createCompany({ name: "Owner Co" });
        const ofCompany = await backend().contactEntries.create({
          companyId: company.id,
          type: "EMAIL",
          name: "E",
          email: "a@b.co",
        });
        expect(ofCompany).toMatchObject({ contactableType: "COMPANY", contactableId: company.id });
        const owners: [ContactableType, string][] = [
          ["PERSON", "71"],
          ["INVOICE", "72"],
          ["SUBSIDIARY", "73"],
          ["PURCHASE_ORDER", "74"],
        ];
        const byOwner: Record<string, string> = {};
        for (const [type, id] of owners) {
          const entry = await backend().contactEntries.create({
            contactable: { type, id },
            type: type === "INVOICE" ? "BILL_TO" : "ADDRESS",
            name: `Of ${type}`,
            address: "1 Main St",
          });
          expect(entry).toMatchObject({ contactableType: type, contactableId: id, companyId: null });
          byOwner[type] = entry.id;
        }
        const list = (filter: Parameters<ContactEntrySource["list"]>[0]) =>
          listAll((page) => backend().contactEntries.list(filter, page));

        expect(idsOf(await list({ personIds: ["71", "99"] }))).toEqual([byOwner.PERSON]);
        const [person] = await list({ personIds: ["71"] });
        expect(person).toMatchObject({ id: byOwner.PERSON, contactableType: "PERSON", contactableId: "71" });
        expect(idsOf(await list({ invoiceIds: ["72"] }))).toEqual([byOwner.INVOICE]);
        expect(idsOf(await list({ subsidiaryIds: ["73"] }))).toEqual([byOwner.SUBSIDIARY]);
        expect(idsOf(await list({ personIds: ["72"] }))).toEqual([]);
        expect(idsOf(await list({ contactableIds: ["71", "74", company.id] }))).toEqual([
          ofCompany.id,
          byOwner.PERSON,
          byOwner.PURCHASE_ORDER,
        ]);
        expect(idsOf(await list({ contactableTypes: ["PURCHASE_ORDER", "SUBSIDIARY"] }))).toEqual([
          byOwner.SUBSIDIARY,
          byOwner.PURCHASE_ORDER,
        ]);
        expect(idsOf(await list({ contactableTypes: ["COMPANY"] }))).toEqual([ofCompany.id]);
        expect(idsOf(await list({ types: ["BILL_TO"] }))).toEqual([byOwner.INVOICE]);
        expect(await backend().contactEntries.listByCompanyIds([company.id], null)).toEqual([
          [expect.objectContaining({ id: ofCompany.id })],
        ]);
      });

      it("refuses an owner id that is no Productive id", async () => {
        await expectValidationError(
          backend().contactEntries.create({
            contactable: { type: "PERSON", id: "abc" },
            type: "EMAIL",
            name: "E",
            email: "a@b.co",
          }),
          [{ path: ["contactableId"], message: "is not a Productive id (an integer)" }],
        );
      });

      it("deletes, and answers NotFoundError for a missing entry or company", async () => {
        const company = await createCompany({ name: "Iota" });
        const entry = await backend().contactEntries.create({
          companyId: company.id,
          type: "PHONE",
          name: "P",
          phone: "1",
        });
        await backend().contactEntries.delete(entry.id);
        expect(await backend().contactEntries.getByIds([entry.id])).toEqual([null]);
        await expectNotFound(backend().contactEntries.delete(entry.id), "ContactEntry", entry.id);
        await expectNotFound(
          backend().contactEntries.update(MISSING_ID, { name: "X" }),
          "ContactEntry",
          MISSING_ID,
        );
        await expectNotFound(
          backend().contactEntries.create({
            companyId: MISSING_ID,
            type: "EMAIL",
            name: "E",
            email: "a@b.co",
          }),
          "Company",
          MISSING_ID,
        );
      });
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../src/errors.ts";
import { blankAttribute, invalidAttribute } from "../../src/providers/productive/rules.ts";
import type { RecordedRequest } from "../fakes/exchange.ts";
import {
  companyRecord,
  contactEntryRecord,
  type JsonApiRecord,
  listDocument,
  type MockedProductive,
  mockProductive,
} from "../fakes/productive.ts";

/** A list endpoint serving `records` in pages of the requested size, each page with the `included` records. */
function pagesOf(records: JsonApiRecord[], included: JsonApiRecord[] = []) {
  return ({ query }: RecordedRequest) => {
    const size = Number(query.get("page[size]") ?? 30);
    const number = Number(query.get("page[number]") ?? 1);
    const data = records.slice((number - 1) * size, number * size);
    const document = listDocument(data, { number, size, totalCount: records.length });
    return { status: 200, body: included.length > 0 ? { ...document, included } : document };
  };
}

const idsUpTo = (count: number) => Array.from({ length: count }, (_, index) => String(index + 1));

/** `count` entries of each company, alternating email and phone, ids numbered from 1. */
function entriesOf(companyIds: string[], count: number): JsonApiRecord[] {
  let id = 0;
  return companyIds.flatMap((companyId) =>
    Array.from({ length: count }, (_, index) =>
      contactEntryRecord(String(++id), companyId, { type: index % 2 === 0 ? "email" : "phone" }),
    ),
  );
}

describe("Productive contact entries adapter (MockAgent)", () => {
  let productive: MockedProductive;
  beforeEach(() => {
    productive = mockProductive();
  });
  afterEach(() => productive.close());

  it("reads the entries of many companies in one request, grouped back per company", async () => {
    productive.answer("GET", "contact_entries", pagesOf(entriesOf(["1", "2", "3"], 4)));
    const grouped = await productive.sources.contactEntries.listByCompanyIds(["3", "1", "9"], null);

    expect(grouped.map((entries) => entries.map((entry) => entry.id))).toEqual([
      ["9", "10", "11", "12"],
      ["1", "2", "3", "4"],
      [],
    ]);
    expect(grouped[0]?.every((entry) => entry.companyId === "3")).toBe(true);
    expect(
      productive.sent.map((request) => [request.method, request.path, Object.fromEntries(request.query)]),
    ).toEqual([
      [
        "GET",
        "/api/v2/contact_entries",
        { "filter[company_id]": "3,1,9", include: "company", "page[number]": "1", "page[size]": "200" },
      ],
    ]);
  });

  it("follows every page of a batch and filters types in memory", async () => {
    productive.answer("GET", "contact_entries", pagesOf(entriesOf(["1", "2"], 150)));
    const grouped = await productive.sources.contactEntries.listByCompanyIds(["1", "2"], ["PHONE"]);

    expect(grouped.map((entries) => entries.length)).toEqual([75, 75]);
    expect(grouped.flat().every((entry) => entry.type === "PHONE")).toBe(true);
    expect(productive.sent.map((request) => request.query.get("page[number]"))).toEqual(["1", "2"]);
  });

  it("takes the company of an entry whose relationship came without id from the one company asked for", async () => {
    const entry = contactEntryRecord("41", null);
    productive.answer("GET", "contact_entries", pagesOf([entry]));
    const [entries] = await productive.sources.contactEntries.listByCompanyIds(["580"], null);
    expect(entries?.map((e) => e.companyId)).toEqual(["580"]);
  });

  it("lists with companyIds and contactableTypes mapped to Productive's filters", async () => {
    productive.answer("GET", "contact_entries", pagesOf(entriesOf(["1"], 3)));
    const page = await productive.sources.contactEntries.list(
      { companyIds: ["1"], contactableTypes: ["COMPANY", "PURCHASE_ORDER"] },
      { offset: 0, limit: 2 },
    );

    expect(page).toMatchObject({ hasNextPage: true, totalCount: 3 });
    expect(page.items.map((entry) => entry.id)).toEqual(["1", "2"]);
    expect(productive.sent.map((request) => Object.fromEntries(request.query))).toEqual([
      {
        "filter[company_id]": "1",
        // The example's spelling for a company, the list's for the others (docs/productive.md).
        "filter[contactable_type]": "company,Purchase order",
        include: "company",
        "page[number]": "1",
        "page[size]": "2",
      },
    ]);
  });

  it.each([{ companyIds: [] }, { contactableTypes: [] }, { types: [] }])(
    "answers a filter listing no value (%o) with an empty page and no request",
    async (filter) => {
      const page = await productive.sources.contactEntries.list(filter, { offset: 0, limit: 5 });
      expect(page).toEqual({ items: [], hasNextPage: false, totalCount: 0 });
      expect(productive.sent).toHaveLength(0);
    },
  );

  it("lists by type by scanning full pages and slicing in memory", async () => {
    productive.answer("GET", "contact_entries", pagesOf(entriesOf(["1", "2", "3"], 100)));
    const page = await productive.sources.contactEntries.list(
      { types: ["EMAIL"] },
      { offset: 140, limit: 20 },
    );

    expect(page.items).toHaveLength(10);
    expect(page).toMatchObject({ hasNextPage: false, totalCount: 150 });
    expect(
      productive.sent.map((request) => [request.query.get("page[number]"), request.query.get("page[size]")]),
    ).toEqual([
      ["1", "200"],
      ["2", "200"],
    ]);
  });

  it("refuses a list by type that would scan more than 10 pages, after one request", async () => {
    productive.answer("GET", "contact_entries", ({ query }) => ({
      status: 200,
      body: listDocument([], {
        number: Number(query.get("page[number]")),
        size: 200,
        totalCount: 2_001,
      }),
    }));
    await expect(
      productive.sources.contactEntries.list({ types: ["EMAIL"] }, { offset: 0, limit: 10 }),
    ).rejects.toBeInstanceOf(BadUserInputError);
    expect(productive.sent).toHaveLength(1);
  });

  it("attaches each entry's included company, validated, so no company needs a request of its own", async () => {
    const companies = [companyRecord("1", { name: "One" }), companyRecord("2", { name: "Two" })];
    productive.answer("GET", "contact_entries", pagesOf(entriesOf(["1", "2", "3"], 2), companies));

    const page = await productive.sources.contactEntries.list({}, { offset: 0, limit: 10 });
    const grouped = await productive.sources.contactEntries.listByCompanyIds(["2", "1"], null);

    expect(page.items.map((entry) => [entry.companyId, entry.company?.name ?? null])).toEqual([
      ["1", "One"],
      ["1", "One"],
      ["2", "Two"],
      ["2", "Two"],
      ["3", null],
      ["3", null],
    ]);
    expect(page.items[0]?.company).toMatchObject({ kind: "Company", id: "1", raw: companies[0] });
    expect(page.items[4]?.company).toBeUndefined();
    expect(grouped.map((entries) => entries.map((entry) => entry.company?.name))).toEqual([
      ["Two", "Two"],
      ["One", "One"],
    ]);
  });

  it("leaves out an included company of the wrong shape: the entries still arrive, without it", async () => {
    const broken = { ...companyRecord("1"), attributes: { name: 42 } };
    productive.answer("GET", "contact_entries", pagesOf(entriesOf(["1"], 1), [broken as JsonApiRecord]));

    const page = await productive.sources.contactEntries.list({}, { offset: 0, limit: 5 });

    expect(page.items.map((entry) => [entry.companyId, entry.company])).toEqual([["1", undefined]]);
  });

  it("reads entries by id in one wave when the budget allows, each with its included company", async () => {
    for (let id = 1; id <= 10; id++) {
      productive.answer("GET", `contact_entries/${id}`, () => ({
        status: 200,
        body: { data: contactEntryRecord(String(id), "580"), included: [companyRecord("580")], meta: {} },
      }));
    }

    const entries = await productive.sources.contactEntries.getByIds(idsUpTo(10));

    expect(entries.map((entry) => [entry?.id, entry?.company?.id])).toEqual(
      idsUpTo(10).map((id) => [id, "580"]),
    );
    expect(productive.sent).toHaveLength(10);
    expect(productive.maxInFlight()).toBe(10);
  });

  it("reads entries by id one GET each, with null for a 404", async () => {
    productive.answer("GET", "contact_entries/44", () => ({
      status: 200,
      body: { data: contactEntryRecord("44", "580"), meta: {} },
    }));
    productive.answer("GET", "contact_entries/45", () => ({
      status: 404,
      body: { errors: [{ status: "404", code: "record_not_found", title: "Record not found" }] },
    }));
    const entries = await productive.sources.contactEntries.getByIds(["45", "44", "nope", "44"]);

    expect(entries.map((entry) => entry?.companyId ?? null)).toEqual([null, "580", null, "580"]);
    expect(
      productive.sent.map((request) => [request.path, Object.fromEntries(request.query)]).sort(),
    ).toEqual([
      ["/api/v2/contact_entries/44", { include: "company" }],
      ["/api/v2/contact_entries/45", { include: "company" }],
    ]);
  });

  it("creates an entry related to its company, answered with the company included", async () => {
    productive.answer("POST", "contact_entries", () => ({
      status: 201,
      body: {
        data: contactEntryRecord("46", null, { name: "Work", email: "contact@email.com" }),
        included: [companyRecord("580", { name: "Client" })],
        meta: {},
      },
    }));
    const entry = await productive.sources.contactEntries.create({
      companyId: "580",
      type: "EMAIL",
      name: "Work",
      email: "contact@email.com",
    });

    expect(entry).toMatchObject({
      id: "46",
      type: "EMAIL",
      contactableType: "COMPANY",
      companyId: "580",
      company: { id: "580", name: "Client" },
    });
    expect(
      productive.sent.map((request) => [
        request.method,
        request.path,
        Object.fromEntries(request.query),
        request.body,
      ]),
    ).toEqual([
      [
        "POST",
        "/api/v2/contact_entries",
        { include: "company" },
        {
          data: {
            type: "contact_entries",
            attributes: {
              contactable_type: "company",
              type: "email",
              name: "Work",
              email: "contact@email.com",
            },
            relationships: { company: { data: { type: "companies", id: "580" } } },
          },
        },
      ],
    ]);
  });

  it.each([
    ["PERSON", "Person", "person", "people"],
    ["INVOICE", "Invoice", "invoice", "invoices"],
    ["SUBSIDIARY", "Subsidiary", "subsidiary", "subsidiaries"],
    ["PURCHASE_ORDER", "Purchase order", "purchase_order", "purchase_orders"],
  ] as const)(
    "creates an entry of a %s, sending the docs' spelling %s and its relationship",
    async (owner, spelling, relationship, type) => {
      productive.answer("POST", "contact_entries", () => ({
        status: 201,
        // Answered as the docs' examples answer: lower case, snake case.
        body: {
          data: contactEntryRecord("47", null, { contactable_type: relationship, type: "bill_to" }),
          meta: {},
        },
      }));
      const entry = await productive.sources.contactEntries.create({
        contactable: { type: owner, id: "900" },
        type: "BILL_TO",
        name: "Billing",
      });

      expect(entry).toMatchObject({
        contactableType: owner,
        contactableId: "900",
        companyId: null,
        type: "BILL_TO",
      });
      expect(productive.sent[0]?.body).toEqual({
        data: {
          type: "contact_entries",
          attributes: { contactable_type: spelling, type: "BillTo", name: "Billing" },
          relationships: { [relationship]: { data: { type, id: "900" } } },
        },
      });
    },
  );

  it("sends the owner filters as Productive documents them", async () => {
    productive.answer("GET", "contact_entries", pagesOf([]));
    await productive.sources.contactEntries.list(
      { personIds: ["1", "2"], invoiceIds: ["3"], subsidiaryIds: ["4"], contactableIds: ["5", "6"] },
      { offset: 0, limit: 5 },
    );
    const {
      "page[number]": _n,
      "page[size]": _s,
      ...filters
    } = Object.fromEntries(productive.sent[0]?.query ?? []);
    expect(filters).toEqual({
      "filter[person_id]": "1,2",
      "filter[invoice_id]": "3",
      "filter[subsidiary_id]": "4",
      "filter[contactable_id]": "5,6",
      include: "company",
    });
  });

  it("takes the owner of an entry whose relationship came without id from the one person asked for", async () => {
    productive.answer(
      "GET",
      "contact_entries",
      pagesOf([contactEntryRecord("41", null, { contactable_type: "Person" })]),
    );
    const page = await productive.sources.contactEntries.list({ personIds: ["77"] }, { offset: 0, limit: 5 });
    expect(page.items.map((entry) => [entry.contactableType, entry.contactableId])).toEqual([
      ["PERSON", "77"],
    ]);
  });

  it("refuses an owner id that is no Productive id, without a request", async () => {
    const error = await productive.sources.contactEntries
      .create({ contactable: { type: "PERSON", id: "abc" }, type: "EMAIL", name: "E" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([
      { path: ["contactableId"], message: "is not a Productive id (an integer)" },
    ]);
    expect(productive.sent).toHaveLength(0);
  });

  it("says a create landed when its answer cannot be read, so it is not sent again", async () => {
    productive.answer("POST", "contact_entries", () => ({
      status: 201,
      body: { data: contactEntryRecord("47", "580", { type: "fax" }), meta: {} },
    }));

    const failure = await productive.sources.contactEntries
      .create({ companyId: "580", type: "PHONE", name: "Desk" })
      .catch((caught: unknown) => caught);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({ code: "BAD_RESPONSE", writeLanded: true });
    expect(productive.sent).toHaveLength(1);
  });

  it("puts an error on contactable_type, which is no input field, on the input as a whole", async () => {
    productive.answer("POST", "contact_entries", () => ({
      status: 422,
      body: { errors: [invalidAttribute("contactable_type", "is not included in the list")] },
    }));

    const error = await productive.sources.contactEntries
      .create({ companyId: "580", type: "PHONE", name: "Desk" })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([
      { path: [], message: "contactable_type: is not included in the list" },
    ]);
  });

  it("turns a 404 on create into NotFoundError for the company", async () => {
    productive.answer("POST", "contact_entries", () => ({
      status: 404,
      body: { errors: [{ status: "404", code: "record_not_found", title: "Record not found" }] },
    }));
    await expect(
      productive.sources.contactEntries.create({ companyId: "999", type: "PHONE", name: "Desk" }),
    ).rejects.toThrow(new NotFoundError("Company", "999"));
  });

  it("updates only the given attributes and maps a 422 to the input's fields", async () => {
    productive.answer("PATCH", "contact_entries/56", () => ({
      status: 422,
      body: { errors: [blankAttribute("name")] },
    }));
    const error = await productive.sources.contactEntries
      .update("56", { name: "" })
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([{ path: ["name"], message: "can't be blank" }]);
    expect(productive.sent.map((request) => [request.method, request.path, request.body])).toEqual([
      [
        "PATCH",
        "/api/v2/contact_entries/56",
        { data: { type: "contact_entries", attributes: { name: "" } } },
      ],
    ]);
  });

  it("deletes with DELETE and a 204, and reports a missing entry", async () => {
    productive.answer("DELETE", "contact_entries/61", () => ({ status: 204 }));
    productive.answer("DELETE", "contact_entries/62", () => ({
      status: 404,
      body: { errors: [{ status: "404", code: "record_not_found", title: "Record not found" }] },
    }));

    await productive.sources.contactEntries.delete("61");
    await expect(productive.sources.contactEntries.delete("62")).rejects.toThrow(
      new NotFoundError("ContactEntry", "62"),
    );
    expect(productive.sent.map((request) => [request.method, request.path])).toEqual([
      ["DELETE", "/api/v2/contact_entries/61"],
      ["DELETE", "/api/v2/contact_entries/62"],
    ]);
  });

  it("treats an entry of a type the gateway does not know as a BAD_RESPONSE", async () => {
    productive.answer("GET", "contact_entries", pagesOf([contactEntryRecord("41", "1", { type: "fax" })]));
    await expect(productive.sources.contactEntries.list({}, { offset: 0, limit: 5 })).rejects.toMatchObject({
      code: "BAD_RESPONSE",
    });
  });
});

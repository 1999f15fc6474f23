import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../src/errors.ts";
import type { RecordedRequest } from "../fakes/exchange.ts";
import {
  companyRecord,
  listDocument,
  type MockedProductive,
  mockProductive,
  productiveStatus,
} from "../fakes/productive.ts";

const ORDER_BY_NAME = { field: "NAME", direction: "ASC" } as const;

/** A list endpoint over `total` companies with ids 1..total, paged as Productive pages. */
function companiesUpTo(total: number) {
  return ({ query }: RecordedRequest) => {
    const size = Number(query.get("page[size]") ?? 30);
    const number = Number(query.get("page[number]") ?? 1);
    const ids = Array.from({ length: total }, (_, index) => String(index + 1));
    const data = ids.slice((number - 1) * size, number * size).map((id) => companyRecord(id));
    return { status: 200, body: listDocument(data, { number, size, totalCount: total }) };
  };
}

const jsonApiError = (detail: string, attribute = "domain") => ({
  errors: [
    {
      status: "422",
      code: "invalid_attribute",
      title: "Invalid Attribute",
      detail,
      source: { pointer: `data/attributes/${attribute}` },
    },
  ],
});

describe("Productive companies adapter (MockAgent)", () => {
  let productive: MockedProductive;
  beforeEach(() => {
    productive = mockProductive();
  });
  afterEach(() => productive.close());

  it("sends Productive's credentials and media type with every request", async () => {
    productive.answer("GET", "companies", companiesUpTo(1));
    await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 0, limit: 10 });

    const [request] = productive.sent;
    expect(request?.headers).toMatchObject({
      "x-auth-token": "secret-token",
      "x-organization-id": "42",
      "content-type": "application/vnd.api+json",
      accept: "application/vnd.api+json",
    });
  });

  it("maps every company filter and the order to Productive's parameters", async () => {
    productive.answer("GET", "companies", companiesUpTo(0));
    await productive.sources.companies.list(
      {
        ids: ["1", "2"],
        name: "Acme",
        companyCode: "ACME",
        billingName: "Acme Ltd",
        vat: "NL123",
        defaultCurrency: "EUR",
        status: "ARCHIVED",
        tags: ["partner", "vip"],
        dueDays: 30,
        createdAfter: "2025-01-01T00:00:00Z",
        createdBefore: "2025-12-31T00:00:00Z",
      },
      { field: "LAST_ACTIVITY_AT", direction: "DESC" },
      { offset: 0, limit: 10 },
    );

    expect(
      productive.sent.map((request) => [request.method, request.path, Object.fromEntries(request.query)]),
    ).toEqual([
      [
        "GET",
        "/api/v2/companies",
        {
          "filter[id]": "1,2",
          "filter[name]": "Acme",
          "filter[company_code]": "ACME",
          "filter[billing_name]": "Acme Ltd",
          "filter[vat]": "NL123",
          "filter[default_currency]": "EUR",
          "filter[status]": "2",
          "filter[tags]": "partner,vip",
          "filter[due_days]": "30",
          "filter[created_at][gt]": "2025-01-01T00:00:00Z",
          "filter[created_at][lt]": "2025-12-31T00:00:00Z",
          sort: "-last_activity_at",
          "page[number]": "1",
          "page[size]": "10",
        },
      ],
    ]);
  });

  it("sends the id filters and every date operator as Productive documents them", async () => {
    productive.answer("GET", "companies", companiesUpTo(0));
    await productive.sources.companies.list(
      {
        companyIds: ["3"],
        defaultSubsidiaryIds: ["4", "5"],
        subsidiaryIds: ["6"],
        defaultTaxRateIds: ["7"],
        projectIds: ["8", "9"],
        createdAt: { gtEq: "2025-01-01T00:00:00Z", ltEq: "2025-02-01T00:00:00Z" },
        archivedAt: { eq: "2025-03-01T00:00:00Z", notEq: "2025-03-02T00:00:00Z" },
        lastActivityAt: { gt: "2025-04-01T00:00:00Z", lt: "2025-05-01T00:00:00Z" },
      },
      ORDER_BY_NAME,
      { offset: 0, limit: 10 },
    );
    const {
      sort: _sort,
      "page[number]": _n,
      "page[size]": _s,
      ...filters
    } = Object.fromEntries(productive.sent[0]?.query ?? []);
    expect(filters).toEqual({
      "filter[company_id]": "3",
      "filter[default_subsidiary_id]": "4,5",
      "filter[subsidiary_id]": "6",
      "filter[default_tax_rate_id]": "7",
      "filter[project_id]": "8,9",
      "filter[created_at][gt_eq]": "2025-01-01T00:00:00Z",
      "filter[created_at][lt_eq]": "2025-02-01T00:00:00Z",
      "filter[archived_at][eq]": "2025-03-01T00:00:00Z",
      "filter[archived_at][not_eq]": "2025-03-02T00:00:00Z",
      "filter[last_activity_at][gt]": "2025-04-01T00:00:00Z",
      "filter[last_activity_at][lt]": "2025-05-01T00:00:00Z",
    });
  });

  it.each([
    [{ name: "Acme, Inc" }, "name"],
    [{ tags: ["ok", "a,b"] }, "tags"],
    [{ ids: ["1,2"] }, "ids"],
  ])("refuses a comma inside a filter value (%o), before any request", async (filter, field) => {
    await expect(
      productive.sources.companies.list(filter, ORDER_BY_NAME, { offset: 0, limit: 5 }),
    ).rejects.toThrow(
      new RegExp(`Productive cannot filter companies by a ${field} value containing a comma`),
    );
    expect(productive.sent).toHaveLength(0);
  });

  it("refuses two fields that set one parameter differently, before any request", async () => {
    const filter = { createdAfter: "2025-01-01T00:00:00Z", createdAt: { gt: "2025-02-01T00:00:00Z" } };
    await expect(
      productive.sources.companies.list(filter, ORDER_BY_NAME, { offset: 0, limit: 5 }),
    ).rejects.toThrow(BadUserInputError);
    expect(productive.sent).toHaveLength(0);
  });

  it.each([
    [{ field: "NAME", direction: "ASC" }, "name"],
    [{ field: "NAME", direction: "DESC" }, "-name"],
    [{ field: "CREATED_AT", direction: "ASC" }, "created_at"],
    [{ field: "LAST_ACTIVITY_AT", direction: "ASC" }, "last_activity_at"],
  ] as const)("orders by %o with sort=%s", async (order, sort) => {
    productive.answer("GET", "companies", companiesUpTo(0));
    await productive.sources.companies.list({}, order, { offset: 0, limit: 5 });
    expect(productive.sent[0]?.query.get("sort")).toBe(sort);
  });

  it("refuses a filter field Productive cannot apply, before any request", async () => {
    const filter = { name: "Acme", website: "acme.com" } as never;
    await expect(
      productive.sources.companies.list(filter, ORDER_BY_NAME, { offset: 0, limit: 5 }),
    ).rejects.toThrow(new BadUserInputError("Productive cannot filter companies by website"));
    expect(productive.sent).toHaveLength(0);
  });

  it.each([{ ids: [] }, { tags: [], name: "Acme" }])(
    "answers a filter listing no value (%o) with an empty page and no request",
    async (filter) => {
      const page = await productive.sources.companies.list(filter, ORDER_BY_NAME, { offset: 0, limit: 5 });
      expect(page).toEqual({ items: [], hasNextPage: false, totalCount: 0 });
      expect(productive.sent).toHaveLength(0);
    },
  );

  it("serves a window from one page with totalCount from meta.total_count", async () => {
    productive.answer("GET", "companies", companiesUpTo(45));
    const page = await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 20, limit: 10 });

    expect(page.items.map((company) => company.id)).toEqual([
      "21",
      "22",
      "23",
      "24",
      "25",
      "26",
      "27",
      "28",
      "29",
      "30",
    ]);
    expect(page).toMatchObject({ hasNextPage: true, totalCount: 45 });
    expect(productive.sent.map((request) => Object.fromEntries(request.query))).toEqual([
      expect.objectContaining({ "page[number]": "3", "page[size]": "10" }),
    ]);
  });

  it("serves a window no page size holds from the two pages that cover it", async () => {
    productive.answer("GET", "companies", companiesUpTo(500));
    const page = await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 100, limit: 200 });

    expect(page.items.map((company) => company.id)).toEqual(
      Array.from({ length: 200 }, (_, index) => String(101 + index)),
    );
    expect(page).toMatchObject({ hasNextPage: true, totalCount: 500 });
    expect(
      productive.sent.map((request) => [request.query.get("page[number]"), request.query.get("page[size]")]),
    ).toEqual([
      ["1", "200"],
      ["2", "200"],
    ]);
  });

  it("serves an unaligned window from one larger page when one holds it", async () => {
    productive.answer("GET", "companies", companiesUpTo(500));
    const page = await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 150, limit: 100 });

    expect(page.items.map((company) => company.id)).toEqual(
      Array.from({ length: 100 }, (_, index) => String(151 + index)),
    );
    expect(
      productive.sent.map((request) => [request.query.get("page[number]"), request.query.get("page[size]")]),
    ).toEqual([["2", "125"]]);
  });

  it("stops at the last page and reports no next page", async () => {
    productive.answer("GET", "companies", companiesUpTo(160));
    const page = await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 100, limit: 200 });

    expect(page.items.map((company) => company.id)).toEqual(
      Array.from({ length: 60 }, (_, index) => String(101 + index)),
    );
    expect(page).toMatchObject({ hasNextPage: false, totalCount: 160 });
    expect(productive.sent).toHaveLength(1);
  });

  it("reads an empty list reported with total_pages: 0", async () => {
    productive.answer("GET", "companies", companiesUpTo(0));
    const page = await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 0, limit: 20 });
    expect(page).toEqual({ items: [], hasNextPage: false, totalCount: 0 });
  });

  it("maps a record to the domain and keeps the record as received in raw", async () => {
    const record = companyRecord("537", {
      name: "Client333",
      tag_list: ["partner"],
      archived_at: "2025-07-24T06:04:42.000+02:00",
      due_days: 15,
    });
    productive.answer("GET", "companies", () => ({
      status: 200,
      body: listDocument([record], { number: 1, size: 10, totalCount: 1 }),
    }));
    const [company] = (await productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 0, limit: 10 }))
      .items;

    expect(company).toMatchObject({
      kind: "Company",
      id: "537",
      name: "Client333",
      tags: ["partner"],
      dueDays: 15,
      status: "ARCHIVED",
      archivedAt: "2025-07-24T06:04:42.000+02:00",
    });
    expect(company?.raw).toEqual(record);
  });

  it("batches getByIds into one request per 200 ids, in order, with null for a missing id", async () => {
    productive.answer("GET", "companies", ({ query }) => {
      const ids = (query.get("filter[id]") ?? "").split(",").filter((id) => Number(id) % 7 !== 0);
      return {
        status: 200,
        body: listDocument(
          ids.map((id) => companyRecord(id)),
          { number: 1, size: 200, totalCount: ids.length },
        ),
      };
    });
    const ids = Array.from({ length: 250 }, (_, index) => String(250 - index));
    const missing = ids.filter((id) => Number(id) % 7 === 0);
    for (const id of missing) productive.answer("GET", `companies/${id}`, () => productiveStatus(404));
    const companies = await productive.sources.companies.getByIds([...ids, "abc", "250"]);

    expect(companies.map((company) => company?.id ?? null)).toEqual([
      ...ids.map((id) => (Number(id) % 7 === 0 ? null : id)),
      null,
      "250",
    ]);
    const [batches, singles] = partition(productive.sent, (request) => request.path === "/api/v2/companies");
    expect(batches.map((request) => request.query.get("filter[id]")?.split(",").length)).toEqual([200, 50]);
    expect(batches.every((request) => request.query.get("page[size]") === "200")).toBe(true);
    // Only the ids the lists left out are asked one by one; "abc" is no Productive id and costs nothing.
    expect(singles.map((request) => request.path).sort()).toEqual(
      missing.map((id) => `/api/v2/companies/${id}`).sort(),
    );
  });

  it("reads a company the id filter left out (an archived one) from its own endpoint", async () => {
    productive.answer("GET", "companies", () => ({
      status: 200,
      body: listDocument([companyRecord("1")], { number: 1, size: 200, totalCount: 1 }),
    }));
    productive.answer("GET", "companies/2", () => ({
      status: 200,
      body: { data: companyRecord("2", { archived_at: "2025-07-24T06:04:42.000+02:00" }), meta: {} },
    }));
    const companies = await productive.sources.companies.getByIds(["2", "1"]);

    expect(companies.map((company) => [company?.id, company?.status])).toEqual([
      ["2", "ARCHIVED"],
      ["1", "ACTIVE"],
    ]);
    expect(productive.sent.map((request) => request.path)).toEqual([
      "/api/v2/companies",
      "/api/v2/companies/2",
    ]);
  });

  it("asks nothing more when the id filter returned every id", async () => {
    productive.answer("GET", "companies", () => ({
      status: 200,
      body: listDocument([companyRecord("1"), companyRecord("2")], { number: 1, size: 200, totalCount: 2 }),
    }));
    await productive.sources.companies.getByIds(["1", "2"]);
    expect(productive.sent).toHaveLength(1);
  });

  // The title is JSON:API's fixed phrase and the filter is the client's own; the rest of the detail
  // is free text that may quote values or ids, and goes to the log only.
  it("turns Productive's 400 on a read into BAD_USER_INPUT with its title and the filter it names", async () => {
    productive.answer("GET", "companies", () => ({
      status: 400,
      body: {
        errors: [{ status: "400", title: "Unsupported Filter", detail: "filter[vat] is not supported" }],
      },
    }));
    await expect(
      productive.sources.companies.list({ vat: "NL1" }, ORDER_BY_NAME, { offset: 0, limit: 5 }),
    ).rejects.toThrow(
      new BadUserInputError("Productive refused the query: Unsupported Filter (filter[vat])"),
    );
  });

  it.each([
    [401, {}, "UNAUTHORIZED", null],
    [429, {}, "RATE_LIMITED", 10],
    [429, { "retry-after": "3" }, "RATE_LIMITED", 3],
    [503, {}, "UNAVAILABLE", null],
  ])("maps a %i (headers %o) to UpstreamError %s", async (status, headers, code, retryAfterSeconds) => {
    productive.answer("GET", "companies", () => ({ status, headers, body: { errors: [] } }));
    const error = await productive.sources.companies
      .list({}, ORDER_BY_NAME, { offset: 0, limit: 5 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ provider: "PRODUCTIVE", code, retryAfterSeconds });
  });

  it("treats a page without meta as a BAD_RESPONSE", async () => {
    productive.answer("GET", "companies", () => ({ status: 200, body: { data: [] } }));
    await expect(
      productive.sources.companies.list({}, ORDER_BY_NAME, { offset: 0, limit: 5 }),
    ).rejects.toMatchObject({ code: "BAD_RESPONSE" });
  });

  it("creates a company with its contact details in one POST", async () => {
    productive.answer("POST", "companies", ({ body }) => {
      const attributes = (body as { data: { attributes: Record<string, unknown> } }).data.attributes;
      return { status: 201, body: { data: companyRecord("542", attributes), meta: {} } };
    });
    const company = await productive.sources.companies.create({
      name: "ACME Comp.",
      domain: "acme.com",
      tags: ["partner", "priority"],
      dueDays: 15,
      contact: {
        emails: [{ name: "Email", email: "contact@example.com" }],
        phones: [{ name: "Contact phone", phone: "(555) 123-4567" }],
        websites: [{ name: "Official website", website: "example-website.com" }],
        addresses: [{ name: "Headquarters", billingAddress: "Main Street", city: "City", zipcode: "11111" }],
      },
    });

    expect(company).toMatchObject({
      id: "542",
      name: "ACME Comp.",
      domain: "acme.com",
      tags: ["partner", "priority"],
    });
    expect(productive.sent.map((request) => [request.method, request.path, request.body])).toEqual([
      [
        "POST",
        "/api/v2/companies",
        {
          data: {
            type: "companies",
            attributes: {
              name: "ACME Comp.",
              domain: "acme.com",
              due_days: 15,
              tag_list: ["partner", "priority"],
              contact: {
                emails: [{ name: "Email", email: "contact@example.com" }],
                phones: [{ name: "Contact phone", phone: "(555) 123-4567" }],
                websites: [{ name: "Official website", website: "example-website.com" }],
                addresses: [
                  { name: "Headquarters", billing_address: "Main Street", city: "City", zipcode: "11111" },
                ],
              },
            },
          },
        },
      ],
    ]);
  });

  it("sends a create once, even when Productive fails", async () => {
    productive.answer("POST", "companies", () => ({ status: 503, body: "" }));
    await expect(productive.sources.companies.create({ name: "Once" })).rejects.toMatchObject({
      code: "UNAVAILABLE",
    });
    expect(productive.sent).toHaveLength(1);
    expect(productive.events).toEqual([expect.objectContaining({ method: "POST", status: 503 })]);
  });

  it.each([
    ["can't be blank", "name", ["name"]],
    ["public domains are not allowed", "domain", ["domain"]],
    ["domain already taken", "domain", ["domain"]],
    ["domain can't be empty string", "domain", ["domain"]],
    ["domain format not valid", "domain", ["domain"]],
    ["is not a number", "due_days", ["dueDays"]],
  ])("turns the 422 '%s' on %s into a ValidationError at %o", async (detail, attribute, path) => {
    productive.answer("PATCH", "companies/546", () => ({
      status: 422,
      body: jsonApiError(detail, attribute),
    }));
    const error = await productive.sources.companies
      .update("546", { domain: "x" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fieldErrors).toEqual([{ path, message: detail }]);
  });

  it("updates only the given attributes", async () => {
    productive.answer("PATCH", "companies/546", () => ({
      status: 200,
      body: { data: companyRecord("546", { name: "new name", tag_list: ["design", "IT"] }), meta: {} },
    }));
    const company = await productive.sources.companies.update("546", {
      name: "new name",
      tags: ["design", "IT"],
    });

    expect(company).toMatchObject({ id: "546", name: "new name", tags: ["design", "IT"] });
    expect(productive.sent.map((request) => [request.method, request.path, request.body])).toEqual([
      [
        "PATCH",
        "/api/v2/companies/546",
        { data: { type: "companies", attributes: { name: "new name", tag_list: ["design", "IT"] } } },
      ],
    ]);
  });

  it("writes the reference attributes as the docs type them, and contact details on update", async () => {
    productive.answer("PATCH", "companies/546", () => ({
      status: 200,
      body: {
        data: companyRecord("546", {
          buyer_reference: "BUYER123",
          default_subsidiary_id: 11,
          default_tax_rate_id: "12",
          default_document_type_id: null,
          contact: { phones: [{ name: "Desk", phone: "1", contact_datum_id: 37 }] },
        }),
        meta: {},
      },
    }));
    const company = await productive.sources.companies.update("546", {
      buyerReference: "BUYER123",
      defaultSubsidiaryId: "11",
      defaultTaxRateId: "12",
      defaultDocumentTypeId: null,
      contact: { phones: [{ name: "Desk", phone: "1" }] },
    });

    expect(company).toMatchObject({
      buyerReference: "BUYER123",
      defaultSubsidiaryId: "11",
      defaultTaxRateId: "12",
      defaultDocumentTypeId: null,
      contact: { emails: [], phones: [{ name: "Desk", phone: "1", contactDatumId: "37" }] },
    });
    expect(productive.sent[0]?.body).toEqual({
      data: {
        type: "companies",
        attributes: {
          buyer_reference: "BUYER123",
          default_subsidiary_id: 11,
          default_tax_rate_id: 12,
          default_document_type_id: null,
          contact: { phones: [{ name: "Desk", phone: "1" }] },
        },
      },
    });
  });

  it("archives and restores with PATCH …/archive and …/restore", async () => {
    productive.answer("PATCH", "companies/565/archive", () => ({
      status: 200,
      body: { data: companyRecord("565", { archived_at: "2025-07-24T06:04:42.000+02:00" }), meta: {} },
    }));
    productive.answer("PATCH", "companies/565/restore", () => ({
      status: 200,
      body: { data: companyRecord("565"), meta: {} },
    }));

    expect(await productive.sources.companies.archive("565")).toMatchObject({ status: "ARCHIVED" });
    expect(await productive.sources.companies.restore("565")).toMatchObject({
      status: "ACTIVE",
      archivedAt: null,
    });
    expect(productive.sent.map((request) => [request.method, request.path, request.body])).toEqual([
      ["PATCH", "/api/v2/companies/565/archive", undefined],
      ["PATCH", "/api/v2/companies/565/restore", undefined],
    ]);
  });

  it("turns a 404 record_not_found into NotFoundError, and never asks for an id that is no number", async () => {
    productive.answer("PATCH", "companies/9/archive", () => ({
      status: 404,
      body: { errors: [{ status: "404", code: "record_not_found", title: "Record not found" }] },
    }));
    await expect(productive.sources.companies.archive("9")).rejects.toThrow(
      new NotFoundError("Company", "9"),
    );
    await expect(productive.sources.companies.update("x1", { name: "n" })).rejects.toThrow(
      new NotFoundError("Company", "x1"),
    );
    expect(productive.sent).toHaveLength(1);
  });

  it("pings with one cheap request", async () => {
    productive.answer("GET", "companies", companiesUpTo(3));
    await productive.sources.backend.ping();
    expect(productive.sent.map((request) => [request.path, Object.fromEntries(request.query)])).toEqual([
      ["/api/v2/companies", { "page[number]": "1", "page[size]": "1" }],
    ]);
  });
});

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  return [items.filter(test), items.filter((item) => !test(item))];
}

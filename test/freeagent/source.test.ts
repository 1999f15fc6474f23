import { afterEach, describe, expect, it } from "vitest";
import type { FreeAgentConfig } from "../../src/config.ts";
import { NotFoundError, UpstreamError, ValidationError } from "../../src/errors.ts";
import { FREEAGENT_USER_AGENT, TOKEN_ENDPOINT_PATH } from "../../src/sources/freeagent/client.ts";
import { createFreeAgentSources } from "../../src/sources/freeagent/index.ts";
import type { FakeHandler, FakeResponse } from "../fakes/exchange.ts";
import { unreachedRateLimits } from "../fakes/exchange.ts";
import { mockUpstream } from "../fakes/mock-upstream.ts";

/** Unit tests of the FreeAgent adapter against undici's MockAgent: what reaches FreeAgent, and how answers map. */

const ORIGIN = "https://api.freeagent.test";

const record = (id: number, extra: Record<string, unknown> = {}) => ({
  url: `${ORIGIN}/v2/contacts/${id}`,
  organisation_name: `Org ${id}`,
  status: "Active",
  created_at: "2024-01-01T00:00:00Z",
  updated_at: "2024-01-02T00:00:00Z",
  ...extra,
});
const records = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => record(from + i));
/** A list page holding contacts `from`..`to` of `total`. */
const listPage = (from: number, to: number, total: number): FakeResponse => ({
  status: 200,
  body: { contacts: records(from, to) },
  headers: { "x-total-count": String(total) },
});
const idRange = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(from + i));

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

function mockFreeAgent(handler: FakeHandler, config: Partial<FreeAgentConfig> = {}) {
  const upstream = mockUpstream(ORIGIN, handler);
  const live = createFreeAgentSources(
    {
      accessToken: "token-1",
      refresh: null,
      baseUrl: ORIGIN,
      rateLimits: unreachedRateLimits("FREEAGENT"),
      ...config,
    },
    upstream,
  );
  closers.push(live.close, upstream.close);
  return {
    source: live.freeAgentContacts,
    backend: live.backend,
    sent: upstream.sent,
    maxInFlight: upstream.maxInFlight,
  };
}

describe("FreeAgent adapter: reads", () => {
  it("authenticates every request and maps a record, keeping it as raw", async () => {
    const upstream = record(2, { first_name: "test", last_name: "me", phone_number: "123", town: "London" });
    const { source, sent } = mockFreeAgent(() => ({ status: 200, body: { contact: upstream } }));

    const [contact] = await source.getByIds(["2"]);

    expect(contact).toMatchObject({
      id: "2",
      provider: "FREEAGENT",
      companyName: "Org 2",
      phone: "123",
      raw: upstream,
    });
    expect(contact?.address?.city).toBe("London");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ method: "GET", path: "/v2/contacts/2" });
    expect(sent[0]?.headers).toMatchObject({
      authorization: "Bearer token-1",
      accept: "application/json",
      "user-agent": FREEAGENT_USER_AGENT,
    });
  });

  it("maps view, sort and updatedAfter to FreeAgent's parameters and sends none by default", async () => {
    const { source, sent } = mockFreeAgent(() => ({
      status: 200,
      body: { contacts: [] },
      headers: { "x-total-count": "0" },
    }));

    await source.list({}, { offset: 0, limit: 10 });
    await source.list(
      {
        view: "OPEN_CLIENTS",
        sort: { field: "UPDATED_AT", direction: "DESC" },
        updatedAfter: "2024-05-01T00:00:00Z",
      },
      { offset: 0, limit: 10 },
    );
    await source.list({ sort: { field: "CREATED_AT", direction: "ASC" } }, { offset: 0, limit: 10 });

    expect(sent.map((r) => Object.fromEntries(r.query))).toEqual([
      { page: "1", per_page: "10" },
      {
        view: "open_clients",
        sort: "-updated_at",
        updated_since: "2024-05-01T00:00:00Z",
        page: "1",
        per_page: "10",
      },
      { sort: "created_at", page: "1", per_page: "10" },
    ]);
  });

  it("serves an aligned window with its own page and counts from X-Total-Count", async () => {
    const { source, sent } = mockFreeAgent(() => listPage(41, 60, 75));

    const page = await source.list({}, { offset: 40, limit: 20 });

    expect(Object.fromEntries(sent[0]?.query ?? [])).toEqual({ page: "3", per_page: "20" });
    expect(page.items.map((c) => c.id)).toEqual(idRange(41, 20));
    expect(page).toMatchObject({ totalCount: 75, hasNextPage: true });
  });

  it("serves an unaligned window with one larger page when one fits it", async () => {
    const { source, sent } = mockFreeAgent(() => listPage(1, 33, 33));

    const page = await source.list({}, { offset: 13, limit: 20 });

    expect(sent).toHaveLength(1);
    expect(Object.fromEntries(sent[0]?.query ?? [])).toEqual({ page: "1", per_page: "33" });
    expect(page.items.map((c) => c.id)).toEqual(idRange(14, 20));
    expect(page).toMatchObject({ totalCount: 33, hasNextPage: false });
  });

  it("serves a window no single page can hold from the two pages that cover it", async () => {
    const { source, sent } = mockFreeAgent(({ query }) => {
      const first = (Number(query.get("page")) - 1) * 100 + 1;
      return listPage(first, first + 99, 1000);
    });

    const page = await source.list({}, { offset: 150, limit: 100 });

    expect(sent.map((r) => Object.fromEntries(r.query))).toEqual([
      { page: "2", per_page: "100" },
      { page: "3", per_page: "100" },
    ]);
    expect(page.items.map((c) => c.id)).toEqual(idRange(151, 100));
    expect(page.hasNextPage).toBe(true);
  });

  it("does not fetch the second page when the first is the last", async () => {
    const { source, sent } = mockFreeAgent(() => listPage(101, 120, 120));

    const page = await source.list({}, { offset: 150, limit: 100 });

    expect(sent).toHaveLength(1);
    expect(page).toMatchObject({ items: [], hasNextPage: false, totalCount: 120 });
  });

  it("reads hasNextPage from the Link header when X-Total-Count is absent", async () => {
    const { source } = mockFreeAgent(({ query }) =>
      query.get("page") === "1"
        ? {
            status: 200,
            body: { contacts: records(1, 10) },
            headers: {
              link: `<${ORIGIN}/v2/contacts?page=2&per_page=10>; rel="next", <${ORIGIN}/v2/contacts?page=2&per_page=10>; rel="last"`,
            },
          }
        : {
            status: 200,
            body: { contacts: records(11, 12) },
            headers: { link: `<${ORIGIN}/v2/contacts?page=1&per_page=10>; rel="first"` },
          },
    );

    expect(await source.list({}, { offset: 0, limit: 10 })).toMatchObject({
      hasNextPage: true,
      totalCount: null,
    });
    expect(await source.list({}, { offset: 10, limit: 10 })).toMatchObject({
      hasNextPage: false,
      totalCount: null,
    });
  });

  it("loads ids once each, all in one wave when the budget allows, with null for missing ones", async () => {
    const { source, sent, maxInFlight } = mockFreeAgent(({ path }) => {
      const id = Number(path.split("/").pop());
      return id > 100
        ? { status: 404, body: { errors: [{ message: "Resource not found" }] } }
        : { status: 200, body: { contact: record(id) } };
    });

    const ids = ["1", "2", "1", "3", "4", "5", "6", "7", "404", "2", "abc"];
    const contacts = await source.getByIds(ids);

    expect(contacts.map((c) => c?.id ?? null)).toEqual([
      "1",
      "2",
      "1",
      "3",
      "4",
      "5",
      "6",
      "7",
      null,
      "2",
      null,
    ]);
    expect(sent.map((r) => r.path).sort()).toEqual(
      ["1", "2", "3", "4", "404", "5", "6", "7"].map((id) => `/v2/contacts/${id}`).sort(),
    );
    expect(maxInFlight()).toBe(8);
  });

  it("answers a record it cannot read with BAD_RESPONSE", async () => {
    const { source } = mockFreeAgent(() => ({
      status: 200,
      body: { contacts: [{ url: "https://elsewhere/v2/users/1" }] },
    }));

    await expect(source.list({}, { offset: 0, limit: 10 })).rejects.toMatchObject({
      name: "UpstreamError",
      code: "BAD_RESPONSE",
    });
  });

  it("passes on a 429 as RATE_LIMITED with FreeAgent's Retry-After", async () => {
    const { source } = mockFreeAgent(() => ({
      status: 429,
      body: "Rate Limit Exceeded",
      headers: { "retry-after": "60" },
    }));

    const error = await source.list({}, { offset: 0, limit: 10 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ provider: "FREEAGENT", code: "RATE_LIMITED", retryAfterSeconds: 60 });
  });

  it("refreshes once per rejected token: a replay that is refused again fails UNAUTHORIZED", async () => {
    const { source, sent } = mockFreeAgent(
      ({ path }) =>
        path === TOKEN_ENDPOINT_PATH
          ? { status: 200, body: { access_token: "token-2", token_type: "bearer", expires_in: 3600 } }
          : { status: 401, body: { errors: { error: { message: "Access token not recognised" } } } },
      { refresh: { refreshToken: "refresh-1", clientId: "id", clientSecret: "secret" } },
    );

    await expect(source.getByIds(["1"])).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect(sent.map((r) => `${r.method} ${r.path} ${r.headers.authorization?.split(" ")[0]}`)).toEqual([
      "GET /v2/contacts/1 Bearer",
      "POST /v2/token_endpoint Basic",
      "GET /v2/contacts/1 Bearer",
    ]);
    expect(sent[2]?.headers.authorization).toBe("Bearer token-2");
  });

  it("pings with a one-record page", async () => {
    const { backend, sent } = mockFreeAgent(() => ({ status: 200, body: { contacts: [] } }));

    await backend.ping();

    expect(backend.backend).toBe("LIVE");
    expect(sent.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual(["GET /v2/contacts?per_page=1"]);
  });
});

describe("FreeAgent adapter: writes", () => {
  it("creates with a root contact element and reads the record from the 201", async () => {
    const { source, sent } = mockFreeAgent(({ body }) => ({
      status: 201,
      body: { contact: record(70, (body as { contact: Record<string, unknown> }).contact) },
      headers: { location: `${ORIGIN}/v2/contacts/70` },
    }));

    const contact = await source.create({
      companyName: "Acme Ltd",
      address: { city: "London" },
      locale: "en",
    });

    expect(contact).toMatchObject({ id: "70", companyName: "Acme Ltd" });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      method: "POST",
      path: "/v2/contacts",
      body: { contact: { organisation_name: "Acme Ltd", town: "London", locale: "en" } },
    });
  });

  it("reads the Location of a create that answers without a body", async () => {
    const { source, sent } = mockFreeAgent(({ method }) =>
      method === "POST"
        ? { status: 201, headers: { location: `${ORIGIN}/v2/contacts/71` } }
        : { status: 200, body: { contact: record(71) } },
    );

    const contact = await source.create({ companyName: "Org 71" });

    expect(contact.id).toBe("71");
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v2/contacts", "GET /v2/contacts/71"]);
  });

  it("says a create landed when reading its Location back fails, and does not send it again", async () => {
    const { source, sent } = mockFreeAgent(({ method }) =>
      method === "POST"
        ? { status: 201, headers: { location: `${ORIGIN}/v2/contacts/72` } }
        : // A 500, which no read retries: the read-back fails at once.
          { status: 500, body: "Internal Server Error" },
    );

    const failure = await source.create({ companyName: "Org 72" }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({
      code: "UNAVAILABLE",
      writeLanded: true,
      message: expect.stringMatching(/^FreeAgent's contact create landed/),
    });
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["POST /v2/contacts", "GET /v2/contacts/72"]);
  });

  it("says a create landed when the 201 names no contact it can read", async () => {
    const { source, sent } = mockFreeAgent(() => ({ status: 201, body: "Created" }));

    const failure = await source.create({ companyName: "Org" }).catch((e: unknown) => e);

    expect(failure).toMatchObject({ name: "UpstreamError", code: "BAD_RESPONSE", writeLanded: true });
    expect(sent).toHaveLength(1);
  });

  it("never retries a create", async () => {
    const { source, sent } = mockFreeAgent(() => ({ status: 503, body: "Service Unavailable" }));

    await expect(source.create({ companyName: "Acme" })).rejects.toMatchObject({
      code: "UNAVAILABLE",
      writeLanded: null,
    });
    expect(sent).toHaveLength(1);
  });

  it.each([
    [
      "array",
      422,
      { errors: [{ message: "Organisation name can't be blank" }, { message: "Email is invalid" }] },
    ],
    ["object", 422, { errors: { error: { message: "Last name can't be blank" } } }],
    ["array, on a 400", 400, { errors: [{ message: "Country is not a valid country" }] }],
    [
      "array, for the listed values",
      422,
      {
        errors: [
          { message: "Status is not included in the list" },
          { message: "Charge sales tax is not included in the list" },
        ],
      },
    ],
  ])(
    "turns a validation failure in the %s error shape into a ValidationError on input paths",
    async (_shape, status, body) => {
      const { source } = mockFreeAgent(() => ({ status, body }));

      const error = await source.create({ email: "nope" }).catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ValidationError);
      const paths = (error as ValidationError).fieldErrors.map((e) => e.path);
      expect(paths).toEqual(
        (Array.isArray(body.errors) ? body.errors : [body.errors.error]).map(
          ({ message }) =>
            ({
              "Organisation name can't be blank": ["companyName"],
              "Email is invalid": ["email"],
              "Last name can't be blank": ["lastName"],
              "Country is not a valid country": ["address", "country"],
              "Status is not included in the list": ["status"],
              "Charge sales tax is not included in the list": ["chargeSalesTax"],
            })[message],
        ),
      );
    },
  );

  it("updates with only the attributes the patch names, then reads the record the bare 200 left out", async () => {
    const { source, sent } = mockFreeAgent(({ method }) =>
      method === "PUT"
        ? { status: 200 }
        : { status: 200, body: { contact: record(5, { email: "new@example.com" }) } },
    );

    const contact = await source.update("5", { email: "new@example.com", phone: null });

    expect(contact.email).toBe("new@example.com");
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["PUT /v2/contacts/5", "GET /v2/contacts/5"]);
    expect(sent[0]?.body).toEqual({ contact: { email: "new@example.com", phone_number: null } });
  });

  it("says an update landed when the read-back after its bare 200 fails", async () => {
    const { source, sent } = mockFreeAgent(({ method }) =>
      method === "PUT"
        ? { status: 200 }
        : { status: 429, body: "Rate Limit Exceeded", headers: { "retry-after": "60" } },
    );

    const failure = await source.update("5", { email: "new@example.com" }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(UpstreamError);
    expect(failure).toMatchObject({
      code: "RATE_LIMITED",
      retryAfterSeconds: 60,
      writeLanded: true,
      message: expect.stringMatching(
        /^FreeAgent's update of contact 5 landed, but reading the result back failed/,
      ),
    });
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual(["PUT /v2/contacts/5", "GET /v2/contacts/5"]);
  });

  it("says an update landed when the contact is gone by the read-back", async () => {
    const { source } = mockFreeAgent(({ method }) =>
      method === "PUT"
        ? { status: 200 }
        : { status: 404, body: { errors: [{ message: "Resource not found" }] } },
    );

    await expect(source.update("5", { email: "new@example.com" })).rejects.toMatchObject({
      name: "UpstreamError",
      code: "BAD_RESPONSE",
      writeLanded: true,
    });
  });

  it("takes the record from an update that answers with it", async () => {
    const { source, sent } = mockFreeAgent(() => ({
      status: 200,
      body: { contact: record(5, { mobile: "0612" }) },
    }));

    expect((await source.update("5", { mobile: "0612" })).mobile).toBe("0612");
    expect(sent).toHaveLength(1);
  });

  it("reads instead of writing when the patch changes nothing", async () => {
    const { source, sent } = mockFreeAgent(() => ({ status: 200, body: { contact: record(5) } }));

    await source.update("5", {});

    expect(sent.map((r) => r.method)).toEqual(["GET"]);
  });

  it("deletes, and reports a missing contact as NotFoundError on update and delete", async () => {
    const { source, sent } = mockFreeAgent(({ path }) =>
      path.endsWith("/9")
        ? { status: 200 }
        : { status: 404, body: { errors: { error: { message: "Resource not found" } } } },
    );

    await source.delete("9");
    await expect(source.delete("8")).rejects.toEqual(new NotFoundError("FreeAgentContact", "8"));
    await expect(source.update("8", { email: "a@b.c" })).rejects.toBeInstanceOf(NotFoundError);
    await expect(source.update("not-an-id", { email: "a@b.c" })).rejects.toBeInstanceOf(NotFoundError);
    expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([
      "DELETE /v2/contacts/9",
      "DELETE /v2/contacts/8",
      "PUT /v2/contacts/8",
    ]);
  });
});

import { STATUS_CODES } from "node:http";
import type { FreeAgentConfig } from "../../src/config.ts";
import type { FreeAgentView } from "../../src/domain/index.ts";
import * as rules from "../../src/providers/freeagent/rules.ts";
import type { FakeResponse, RecordedRequest } from "./exchange.ts";
import { unreachedRateLimits } from "./exchange.ts";
import { type FakeServer, RUNAWAY_PAGES, type RunawayPaging, startFakeServer } from "./fake-server.ts";

/**
 * A fake FreeAgent API v2 (contacts and the OAuth token endpoint) on 127.0.0.1, following
 * freeagent-contacts.txt and the upstream README: records in the documented JSON shape, view
 * filters, sorts, `updated_since`, page/per_page with `Link` and `X-Total-Count`, 201 + Location,
 * the contact rules the store enforces too (src/providers/freeagent/rules.ts) answered in either
 * error shape, 401 for a token it does not know, a token endpoint with rotating tokens, and its
 * documented 429 for `failNext`.
 */

export type FreeAgentRecord = Record<string, unknown> & { url: string };

export type FreeAgentErrorShape = "object" | "array";

export interface FakeFreeAgentOptions {
  clientId?: string;
  clientSecret?: string;
  /** Whether a refresh returns a new refresh token too (default true). */
  rotateRefreshToken?: boolean;
}

/** `reset` empties it and restores its settings; the tokens stay, so an adapter connected before keeps working. */
export interface FakeFreeAgent extends FakeServer, RunawayPaging {
  /** Connects an adapter to this fake: its first access token, with refresh credentials. */
  config: FreeAgentConfig;
  /** Requests to the contacts API, without the token endpoint's. */
  contactRequests(): RecordedRequest[];
  tokenRequests(): RecordedRequest[];
  refreshToken(): string;
  /** The current access token stops working, as one does after an hour. */
  expireAccessToken(): void;
  /** While set, the token endpoint refuses every refresh (400 invalid_grant). */
  failTokenRefresh(fail: boolean): void;
  /** Which documented error body validation failures use (default "array"). */
  setErrorShape(shape: FreeAgentErrorShape): void;
  /** Stores a contact directly: the documented example record, overridden by `attributes`. Returns its id. */
  /** `roles`: what the contact is to the account, which only the fake knows; the views select by them. */
  seed(attributes?: Partial<FreeAgentRecord>, roles?: Partial<rules.FreeAgentRoles>): string;
  record(id: string): FreeAgentRecord | undefined;
}

/** FreeAgent's 429: `Retry-After: 60` and a plain-text body. */
export const FREEAGENT_RATE_LIMIT: FakeResponse = {
  status: 429,
  headers: { "retry-after": "60" },
  body: "Rate Limit Exceeded",
};

/** A failure `code` (500, 401, …) with the `{"errors":{"error":{"message"}}}` body FreeAgent sends, for `failNext`. */
export function freeAgentStatus(code: number): FakeResponse {
  return { status: code, body: { errors: { error: { message: STATUS_CODES[code] } } } };
}

const CONTACTS = "/v2/contacts";
const TOKEN_ENDPOINT = "/v2/token_endpoint";
const DEFAULT_PER_PAGE = 25;
const MAX_PER_PAGE = 100;

/** The writable attributes of freeagent-contacts.txt; anything else in a write body is ignored. */
const WRITABLE = [
  "first_name",
  "last_name",
  "organisation_name",
  "email",
  "billing_email",
  "phone_number",
  "mobile",
  "address1",
  "address2",
  "address3",
  "town",
  "region",
  "postcode",
  "country",
  "contact_name_on_invoices",
  "default_payment_terms_in_days",
  "locale",
  "uses_contact_invoice_sequence",
  "charge_sales_tax",
  "sales_tax_registration_number",
  "status",
] as const;

/** The documented example contact, without its url and timestamps. */
const EXAMPLE: Record<string, unknown> = {
  first_name: "test",
  last_name: "me",
  organisation_name: "Acme Ltd",
  email: "test@example.com",
  billing_email: "billing@example.com",
  phone_number: "12345678",
  mobile: "9876543210",
  address1: "11 George Street",
  address2: "South Court",
  address3: "Flat 6",
  town: "London",
  region: "Southwark",
  postcode: "SE1 6HA",
  country: "United Kingdom",
  contact_name_on_invoices: true,
  default_payment_terms_in_days: 30,
  locale: "en",
  account_balance: "-100.0",
  uses_contact_invoice_sequence: false,
  charge_sales_tax: "Auto",
  sales_tax_registration_number: "ST12345",
  active_projects_count: 1,
  direct_debit_mandate_state: "active",
  status: "Active",
};

interface StoredContact {
  id: number;
  record: FreeAgentRecord;
  roles: Partial<rules.FreeAgentRoles>;
}

/** The view a `view` parameter names (the adapter sends the lower-case name), or undefined. */
function viewFilter(view: string): ((contact: StoredContact) => boolean) | undefined {
  const name = view.toUpperCase();
  if (!Object.hasOwn(rules.VIEW_RULES, name)) return undefined;
  const { status, roles } = rules.VIEW_RULES[name as FreeAgentView];
  return (contact) =>
    (status === undefined || contact.record.status === status) &&
    roles.every((role) => contact.roles[role] === true);
}

const text = (value: unknown) => (typeof value === "string" ? value : "");

const SORT_KEYS: Record<string, (record: FreeAgentRecord) => string> = {
  name: rules.nameSortKey,
  created_at: (r) => text(r.created_at),
  updated_at: (r) => text(r.updated_at),
};

export async function startFakeFreeAgent(options: FakeFreeAgentOptions = {}): Promise<FakeFreeAgent> {
  const clientId = options.clientId ?? "fake-client-id";
  const clientSecret = options.clientSecret ?? "fake-client-secret";
  const rotateRefreshToken = options.rotateRefreshToken ?? true;
  let accessToken = "access-0";
  let refreshToken = "refresh-0";
  let tokenGeneration = 0;
  let refreshFails = false;
  let errorShape: FreeAgentErrorShape = "array";
  let runawayPages = false;

  const contacts = new Map<number, StoredContact>();
  let nextId = 1;
  // Real time, but at least a second after the previous write: timestamps stay distinct (FreeAgent
  // sends whole seconds) and stay comparable with the caller's clock.
  let clock = 0;
  const tick = () => {
    clock = Math.max(Math.floor(Date.now() / 1000) * 1000, clock + 1000);
    return new Date(clock).toISOString().replace(".000Z", "Z");
  };

  let origin = "";
  const contactUrl = (id: number) => `${origin}${CONTACTS}/${id}`;

  function insert(attributes: Record<string, unknown>, roles: Partial<rules.FreeAgentRoles>): StoredContact {
    const id = nextId++;
    const now = tick();
    const contact = {
      id,
      roles,
      record: { created_at: now, updated_at: now, ...attributes, url: contactUrl(id) },
    };
    contacts.set(id, contact);
    return contact;
  }

  const errorBody = (messages: string[]) =>
    errorShape === "array"
      ? { errors: messages.map((message) => ({ message })) }
      : { errors: { error: { message: messages.join(", ") } } };

  function writable(body: unknown): Record<string, unknown> | null {
    const contact = (body as { contact?: unknown } | undefined)?.contact;
    if (typeof contact !== "object" || contact === null || Array.isArray(contact)) return null;
    return Object.fromEntries(
      Object.entries(contact).filter(([key]) => (WRITABLE as readonly string[]).includes(key)),
    );
  }

  function list(query: URLSearchParams): FakeResponse {
    const view = query.get("view") ?? "active";
    const sort = query.get("sort") ?? "name";
    const page = Number(query.get("page") ?? 1);
    const perPage = Number(query.get("per_page") ?? DEFAULT_PER_PAGE);
    const inView = viewFilter(view);
    const sortKey = SORT_KEYS[sort.replace(/^-/, "")];
    const since = query.get("updated_since");
    const validSince = since === null || !Number.isNaN(Date.parse(since));
    if (!inView || !sortKey || !validSince || !(page >= 1) || !(perPage >= 1 && perPage <= MAX_PER_PAGE)) {
      return { status: 400, body: errorBody([`Invalid list parameters: ${query.toString()}`]) };
    }
    const direction = sort.startsWith("-") ? -1 : 1;
    const matching = [...contacts.values()]
      .filter(inView)
      .filter((c) => since === null || Date.parse(text(c.record.updated_at)) >= Date.parse(since))
      .sort((a, b) => direction * sortKey(a.record).localeCompare(sortKey(b.record)) || a.id - b.id);
    const totalCount = runawayPages ? RUNAWAY_PAGES * perPage : matching.length;
    const lastPage = Math.max(1, Math.ceil(totalCount / perPage));
    const first = runawayPages ? 0 : (page - 1) * perPage;
    const pageLink = (number: number, rel: string) => {
      const params = new URLSearchParams(query);
      params.set("page", String(number));
      params.set("per_page", String(perPage));
      return `<${origin}${CONTACTS}?${params}>; rel="${rel}"`;
    };
    const links = [
      ...(page < lastPage ? [pageLink(page + 1, "next")] : []),
      ...(page > 1 ? [pageLink(page - 1, "prev")] : []),
      pageLink(1, "first"),
      pageLink(lastPage, "last"),
    ];
    return {
      status: 200,
      headers: { link: links.join(", "), "x-total-count": String(totalCount) },
      body: { contacts: matching.slice(first, first + perPage).map((c) => c.record) },
    };
  }

  function contactsApi(request: RecordedRequest): FakeResponse {
    const notFound = { status: 404, body: errorBody(["Resource not found"]) };
    if (request.path === CONTACTS) {
      if (request.method === "GET") return list(request.query);
      if (request.method !== "POST") return { status: 405, body: "" };
      const attributes = writable(request.body);
      if (!attributes) return { status: 400, body: errorBody(["The request needs a root contact element"]) };
      const messages = rules.contactErrors(attributes);
      if (messages.length > 0) return { status: 422, body: errorBody(messages) };
      const contact = insert({ ...rules.CREATE_DEFAULTS, ...rules.withoutNulls(attributes) }, {});
      return { status: 201, headers: { location: contact.record.url }, body: { contact: contact.record } };
    }
    const id = /^\/v2\/contacts\/(\d+)$/.exec(request.path)?.[1];
    const contact = id === undefined ? undefined : contacts.get(Number(id));
    if (!contact) return notFound;
    if (request.method === "GET") return { status: 200, body: { contact: contact.record } };
    if (request.method === "DELETE") {
      contacts.delete(contact.id);
      return { status: 200 };
    }
    if (request.method !== "PUT") return { status: 405, body: "" };
    const changes = writable(request.body);
    if (!changes) return { status: 400, body: errorBody(["The request needs a root contact element"]) };
    const updated = { ...contact.record, ...changes };
    const messages = rules.contactErrors(updated);
    if (messages.length > 0) return { status: 422, body: errorBody(messages) };
    contact.record = { ...rules.withoutNulls(updated), url: contact.record.url, updated_at: tick() };
    // The docs show a bare 200 for an update.
    return { status: 200 };
  }

  function token(request: RecordedRequest): FakeResponse {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`;
    if (request.headers.authorization !== expected) return { status: 401, body: { error: "invalid_client" } };
    const form = new URLSearchParams(typeof request.body === "string" ? request.body : "");
    const formEncoded = request.headers["content-type"]?.startsWith("application/x-www-form-urlencoded");
    if (!formEncoded || form.get("grant_type") !== "refresh_token") {
      return { status: 400, body: { error: "unsupported_grant_type" } };
    }
    if (refreshFails || form.get("refresh_token") !== refreshToken) {
      return { status: 400, body: { error: "invalid_grant" } };
    }
    tokenGeneration += 1;
    accessToken = `access-${tokenGeneration}`;
    if (rotateRefreshToken) refreshToken = `refresh-${tokenGeneration}`;
    return {
      status: 200,
      body: {
        access_token: accessToken,
        token_type: "bearer",
        expires_in: 3600,
        ...(rotateRefreshToken ? { refresh_token: refreshToken } : {}),
      },
    };
  }

  function handle(request: RecordedRequest): FakeResponse {
    if (!request.headers["user-agent"]) return { status: 400, body: "A User-Agent header is required" };
    if (request.path === TOKEN_ENDPOINT && request.method === "POST") return token(request);
    if (!request.headers.accept?.includes("application/json")) return { status: 406, body: "" };
    if (request.headers.authorization !== `Bearer ${accessToken}`) {
      return { status: 401, body: { errors: { error: { message: "Access token not recognised" } } } };
    }
    return contactsApi(request);
  }

  const server = await startFakeServer(handle, {
    reset: () => {
      contacts.clear();
      refreshFails = false;
      errorShape = "array";
      runawayPages = false;
    },
  });
  origin = server.origin;

  return {
    ...server,
    config: {
      accessToken,
      refresh: { refreshToken, clientId, clientSecret },
      baseUrl: origin,
      rateLimits: unreachedRateLimits("FREEAGENT"),
    },
    contactRequests: () => server.requests.filter((r) => r.path !== TOKEN_ENDPOINT),
    tokenRequests: () => server.requests.filter((r) => r.path === TOKEN_ENDPOINT),
    refreshToken: () => refreshToken,
    expireAccessToken: () => {
      accessToken = `${accessToken}-expired`;
    },
    failTokenRefresh: (fail) => {
      refreshFails = fail;
    },
    setErrorShape: (shape) => {
      errorShape = shape;
    },
    claimRunawayPages: (on) => {
      runawayPages = on;
    },
    seed: (attributes = {}, roles = {}) => String(insert({ ...EXAMPLE, ...attributes }, roles).id),
    record: (id) => contacts.get(Number(id))?.record,
  };
}

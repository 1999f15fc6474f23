import { STATUS_CODES } from "node:http";
import type { ProductiveConfig } from "../../src/config.ts";
import type { ContactableType, ContactEntryOwner } from "../../src/domain/index.ts";
import {
  companyRelationships,
  contactEntryRelationships,
  EMPTY_COMPANY_ATTRIBUTES,
  EMPTY_CONTACT_ENTRY_ATTRIBUTES,
  notIncluded,
  OWNER_RELATIONSHIPS,
} from "../../src/providers/productive/records.ts";
import {
  blankAttribute,
  companyErrors,
  domainKey,
  invalidAttribute,
} from "../../src/providers/productive/rules.ts";
import { foldCase, isBlank } from "../../src/providers/shared/text.ts";
import { createProductiveSources, type ProductiveSources } from "../../src/sources/productive/index.ts";
import type { FakeHandler, FakeResponse, RecordedRequest } from "./exchange.ts";
import { unreachedRateLimits } from "./exchange.ts";
import { type FakeServer, RUNAWAY_PAGES, type RunawayPaging, startFakeServer } from "./fake-server.ts";
import { type MockUpstream, mockUpstream } from "./mock-upstream.ts";

/**
 * A fake Productive API v2 (companies and contact entries) on 127.0.0.1, reproducing what
 * ../shared/upstream documents: JSON:API records with every attribute of the examples, page
 * meta (`total_pages: 0` when empty), every documented filter (comma lists, the date operators),
 * sort, `include=company`, contact entries of every documented contactable, the 422 bodies of the
 * examples, `record_not_found`, 204 on delete, 401 for other credentials, 415 for a body sent
 * without the JSON:API media type, and 400 "Unsupported Filter".
 *
 * Enum values are taken only as the docs spell them — their lists (`Client`, `BillFrom`,
 * `Purchase order`, …) or their examples (`company`, `email`) — and answered as the examples
 * answer them (lower case, `purchase_order`), so a spelling the docs do not show fails here.
 */

type Json = Record<string, unknown>;
export interface JsonApiRecord {
  id: string;
  type: "companies" | "contact_entries";
  attributes: Json;
  relationships: Record<string, Json>;
}

export interface FakeProductive extends FakeServer, RunawayPaging {
  /** Credentials the fake accepts, with its origin as base URL. */
  config: ProductiveConfig;
  /** Seeds a company as Productive would have stored it; returns its record. */
  addCompany(attributes?: Json): JsonApiRecord;
  /** Seeds a contact entry of a company, or of another owner (an email unless `attributes` say otherwise). */
  addContactEntry(owner: string | ContactEntryOwner, attributes?: Json): JsonApiRecord;
}

const JSON_API = "application/vnd.api+json";
const MAX_PAGE_SIZE = 200;
const DEFAULT_PAGE_SIZE = 30;
/** The documented spellings (lists and examples) → how the examples answer them. */
const ENTRY_TYPES: Record<string, string> = {
  Address: "address",
  BillFrom: "bill_from",
  BillTo: "bill_to",
  Email: "email",
  email: "email",
  Phone: "phone",
  Website: "website",
};
const CONTACTABLE_TYPES: Record<string, string> = {
  Person: "person",
  Client: "company",
  company: "company",
  Invoice: "invoice",
  Subsidiary: "subsidiary",
  "Purchase order": "purchase_order",
};
/** How the fake answers an owner's type, and the relationship that names it. */
const ANSWERED_CONTACTABLE: Record<ContactableType, string> = {
  COMPANY: "company",
  PERSON: "person",
  INVOICE: "invoice",
  SUBSIDIARY: "subsidiary",
  PURCHASE_ORDER: "purchase_order",
};
const OWNER_FILTERS = [
  ["filter[company_id]", "company"],
  ["filter[person_id]", "person"],
  ["filter[invoice_id]", "invoice"],
  ["filter[subsidiary_id]", "subsidiary"],
] as const;
const DATE_OPERATORS: Record<string, (value: number, bound: number) => boolean> = {
  eq: (value, bound) => value === bound,
  not_eq: (value, bound) => value !== bound,
  gt: (value, bound) => value > bound,
  gt_eq: (value, bound) => value >= bound,
  lt: (value, bound) => value < bound,
  lt_eq: (value, bound) => value <= bound,
};
const DATE_FILTERS = ["created_at", "archived_at", "last_activity_at"];
const COMPANY_SORTS = new Set(["name", "created_at", "last_activity_at"]);
/** What a contact entry write sets; `contactable_type` only on create. */
const WRITABLE_ENTRY_ATTRIBUTES = Object.keys(EMPTY_CONTACT_ENTRY_ATTRIBUTES);
const WRITABLE_COMPANY_ATTRIBUTES = [
  "name",
  "billing_name",
  "vat",
  "default_currency",
  "avatar_url",
  "custom_fields",
  "company_code",
  "domain",
  "description",
  "buyer_reference",
  "default_subsidiary_id",
  "default_tax_rate_id",
  "default_document_type_id",
  "due_days",
  "tag_list",
  "external_id",
] as const;

export async function startFakeProductive(
  options: { organizationId?: string } = {},
): Promise<FakeProductive> {
  const token = "fake-productive-token";
  const organizationId = options.organizationId ?? "207";
  const companies = new Map<string, JsonApiRecord>();
  const entries = new Map<string, JsonApiRecord>();
  let lastId = 500;
  let runawayPages = false;
  const nextId = () => String(++lastId);
  const now = () => new Date().toISOString();

  function storeCompany(attributes: Json): JsonApiRecord {
    const id = nextId();
    const record = companyRecord(id, { created_at: now(), ...attributes }, organizationId);
    companies.set(id, record);
    return record;
  }

  function storeEntry(owner: string | ContactEntryOwner | null, attributes: Json): JsonApiRecord {
    const record = contactEntryRecord(nextId(), owner, attributes, organizationId);
    entries.set(record.id, record);
    return record;
  }

  /**
   * The `contact` attribute of a new company: each email, phone, website and address becomes a
   * contact entry (named with the UI's label when the item has no name), and the attribute keeps
   * each item with its entry's id as `contact_datum_id`.
   */
  function storeContactDetails(companyId: string, contact: Json): Json {
    const kinds = [
      ["emails", "email", "Email"],
      ["phones", "phone", "Phone"],
      ["websites", "website", "Website"],
      ["addresses", "address", "Address"],
    ] as const;
    const stored: Json = {};
    for (const [list, type, label] of kinds) {
      const items = contact[list];
      if (!Array.isArray(items)) continue;
      stored[list] = items.map((item: Json) => {
        const { billing_address: street, ...details } = item;
        const entry = storeEntry(companyId, {
          ...details,
          type,
          name: details.name || label,
          ...(type === "address" ? { address: street ?? null } : {}),
        });
        return { ...item, contact_datum_id: Number(entry.id) };
      });
    }
    return stored;
  }

  /** Productive's rules on the attributes a company write leaves it with. */
  function errorsOfCompany(attributes: Json, companyId: string | null): Json[] {
    const { domain } = attributes;
    const domainTaken =
      typeof domain === "string" &&
      [...companies.values()].some(
        (company) =>
          company.id !== companyId &&
          typeof company.attributes.domain === "string" &&
          domainKey(company.attributes.domain) === domainKey(domain),
      );
    return companyErrors(attributes, domainTaken);
  }

  function entryErrors(attributes: Json, creating: boolean): Json[] {
    const errors: Json[] = [];
    if (("name" in attributes || creating) && isBlank(attributes.name)) errors.push(blankAttribute("name"));
    if ("type" in attributes || creating) {
      if (isBlank(attributes.type)) errors.push(blankAttribute("type"));
      else if (!documented(ENTRY_TYPES, attributes.type)) {
        errors.push(invalidAttribute("type", "is not included in the list"));
      }
    }
    if (creating) {
      if (isBlank(attributes.contactable_type)) errors.push(blankAttribute("contactable_type"));
      else if (!documented(CONTACTABLE_TYPES, attributes.contactable_type)) {
        errors.push(invalidAttribute("contactable_type", "is not included in the list"));
      }
    }
    return errors;
  }

  function listCompanies(request: RecordedRequest): FakeResponse {
    const q = request.query;
    const unsupported = unsupportedFilter(q, [
      "id]",
      "company_id]",
      "name]",
      "company_code]",
      "billing_name]",
      "default_currency]",
      "default_subsidiary_id]",
      "subsidiary_id]",
      "default_tax_rate_id]",
      "project_id]",
      "vat]",
      "status]",
      "tags]",
      "due_days]",
      "payment_terms]",
      ...DATE_FILTERS.flatMap((date) => Object.keys(DATE_OPERATORS).map((op) => `${date}][${op}]`)),
    ]);
    if (unsupported) return unsupported;
    const anyOf = (param: string, value: (company: JsonApiRecord) => unknown) => (company: JsonApiRecord) => {
      const wanted = commaList(q.get(param));
      return !wanted || wanted.includes(String(value(company) ?? ""));
    };
    const attribute = (name: string) => (company: JsonApiRecord) => company.attributes[name];
    // Without projects or subsidiaries of its own, the fake links a company to its default subsidiary only.
    const linked = (company: JsonApiRecord) =>
      anyOf("filter[company_id]", (c) => c.id)(company) &&
      anyOf("filter[default_subsidiary_id]", attribute("default_subsidiary_id"))(company) &&
      anyOf("filter[subsidiary_id]", attribute("default_subsidiary_id"))(company) &&
      anyOf("filter[default_tax_rate_id]", attribute("default_tax_rate_id"))(company) &&
      !q.has("filter[project_id]");
    const dated = (company: JsonApiRecord) =>
      [...q.entries()].every(([key, bound]) => {
        const match = /^filter\[(\w+)\]\[(\w+)\]$/.exec(key);
        if (!match) return true;
        const [, name = "", operator = ""] = match;
        const value = company.attributes[name];
        const test = DATE_OPERATORS[operator];
        return typeof value === "string" && test !== undefined && test(Date.parse(value), Date.parse(bound));
      });
    const equals = (param: string, attribute: string) => (company: JsonApiRecord) =>
      !q.has(param) || String(company.attributes[attribute] ?? "") === q.get(param);
    const ids = commaList(q.get("filter[id]"));
    const tags = commaList(q.get("filter[tags]"));
    const contains = (param: string, attribute: string) => (company: JsonApiRecord) => {
      const value = company.attributes[attribute];
      return (
        !q.has(param) || (typeof value === "string" && foldCase(value).includes(foldCase(q.get(param) ?? "")))
      );
    };
    const status = q.get("filter[status]");
    const matching = [...companies.values()].filter(
      (company) =>
        (!ids || ids.includes(company.id)) &&
        contains("filter[name]", "name")(company) &&
        equals("filter[company_code]", "company_code")(company) &&
        contains("filter[billing_name]", "billing_name")(company) &&
        equals("filter[vat]", "vat")(company) &&
        equals("filter[default_currency]", "default_currency")(company) &&
        equals("filter[due_days]", "due_days")(company) &&
        equals("filter[payment_terms]", "due_days")(company) &&
        (!status || (status === "2") === (company.attributes.archived_at !== null)) &&
        (!tags || tags.some((tag) => (company.attributes.tag_list as string[]).includes(tag))) &&
        linked(company) &&
        dated(company),
    );
    const sort = q.get("sort");
    if (sort) {
      const field = sort.replace(/^-/, "");
      if (!COMPANY_SORTS.has(field))
        return badRequest("Unsupported Sort", `sort by ${field} is not supported`);
      const direction = sort.startsWith("-") ? -1 : 1;
      // Names compare case-insensitively, times as instants; an empty value sorts first; ties by id.
      const key = (company: JsonApiRecord) => {
        const value = company.attributes[field];
        if (field === "name") return foldCase(String(value));
        return typeof value === "string" ? Date.parse(value) : Number.NEGATIVE_INFINITY;
      };
      matching.sort((a, b) => direction * compare(key(a), key(b)) || Number(a.id) - Number(b.id));
    }
    return page(request.path, q, matching, []);
  }

  function listEntries(request: RecordedRequest): FakeResponse {
    const q = request.query;
    const unsupported = unsupportedFilter(q, [
      "person_id]",
      "company_id]",
      "invoice_id]",
      "subsidiary_id]",
      "contactable_id]",
      "contactable_type]",
    ]);
    if (unsupported) return unsupported;
    const givenTypes = commaList(q.get("filter[contactable_type]"));
    const undocumented = givenTypes?.find((type) => !documented(CONTACTABLE_TYPES, type));
    if (undocumented !== undefined) {
      return badRequest(
        "Invalid Filter Value",
        `filter[contactable_type]: ${undocumented} is not included in the list`,
      );
    }
    const contactableTypes = givenTypes?.map((type) => CONTACTABLE_TYPES[type]);
    const contactableIds = commaList(q.get("filter[contactable_id]"));
    const matching = [...entries.values()].filter(
      (entry) =>
        OWNER_FILTERS.every(([param, relationship]) => {
          const ids = commaList(q.get(param));
          return !ids || ids.includes(relatedId(entry, relationship) ?? "");
        }) &&
        (!contactableIds || contactableIds.includes(ownerIdOf(entry) ?? "")) &&
        (!contactableTypes || contactableTypes.includes(String(entry.attributes.contactable_type))),
    );
    return page(request.path, q, matching, includedCompanies(q, matching));
  }

  function page(
    path: string,
    q: URLSearchParams,
    records: JsonApiRecord[],
    included: JsonApiRecord[],
  ): FakeResponse {
    const size = Math.min(positiveInt(q.get("page[size]")) ?? DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    const number = positiveInt(q.get("page[number]")) ?? 1;
    const first = runawayPages ? 0 : (number - 1) * size;
    const items = records.slice(first, first + size).map((record) => present(record, q));
    const document = listDocument(items, {
      number,
      size,
      totalCount: runawayPages ? RUNAWAY_PAGES * size : records.length,
      url: `${server.origin}${path}`,
    });
    return ok(
      included.length > 0
        ? { ...document, included: included.map((record) => present(record, q)) }
        : document,
    );
  }

  /** Productive names a related record's id only for the relationships the request includes. */
  function present(record: JsonApiRecord, q: URLSearchParams): JsonApiRecord {
    if (record.type !== "contact_entries") return record;
    const hidden = Object.values(OWNER_RELATIONSHIPS)
      .map(({ relationship }) => relationship)
      .filter((relationship) => !includes(q, relationship));
    return {
      ...record,
      relationships: {
        ...record.relationships,
        ...Object.fromEntries(hidden.map((relationship) => [relationship, notIncluded()])),
      },
    };
  }

  function includedCompanies(q: URLSearchParams, records: JsonApiRecord[]): JsonApiRecord[] {
    if (!includes(q, "company")) return [];
    const ids = new Set(records.map((record) => relatedId(record, "company")).filter((id) => id !== null));
    return [...ids].flatMap((id) => companies.get(id) ?? []);
  }

  function single(record: JsonApiRecord, q: URLSearchParams, status = 200): FakeResponse {
    const included = includedCompanies(q, [record]);
    return jsonApi(status, {
      data: present(record, q),
      ...(included.length > 0 ? { included } : {}),
      meta: {},
    });
  }

  function createCompany(request: RecordedRequest): FakeResponse {
    const attributes = dataOf(request.body)?.attributes ?? {};
    const errors = errorsOfCompany(attributes, null);
    if (errors.length > 0) return unprocessable(errors);
    const { contact, ...rest } = attributes;
    const record = storeCompany(pick(rest, WRITABLE_COMPANY_ATTRIBUTES));
    if (contact && typeof contact === "object")
      record.attributes.contact = storeContactDetails(record.id, contact as Json);
    return single(record, request.query, 201);
  }

  function updateCompany(request: RecordedRequest, company: JsonApiRecord): FakeResponse {
    const given = dataOf(request.body)?.attributes ?? {};
    const attributes = pick(given, WRITABLE_COMPANY_ATTRIBUTES);
    const errors = errorsOfCompany({ ...company.attributes, ...attributes }, company.id);
    if (errors.length > 0) return unprocessable(errors);
    Object.assign(company.attributes, attributes, { last_activity_at: now() });
    if ("contact" in given) {
      const { contact } = given;
      company.attributes.contact =
        contact && typeof contact === "object" ? storeContactDetails(company.id, contact as Json) : {};
    }
    return single(company, request.query);
  }

  function createEntry(request: RecordedRequest): FakeResponse {
    const data = dataOf(request.body);
    const attributes = data?.attributes ?? {};
    const owner = ownerOf(data);
    if (owner?.type === "COMPANY" && !companies.has(owner.id)) return notFound();
    const errors = entryErrors(attributes, true);
    if (errors.length > 0) return unprocessable(errors);
    const contactableType = CONTACTABLE_TYPES[String(attributes.contactable_type)];
    if (owner === null || ANSWERED_CONTACTABLE[owner.type] !== contactableType) {
      return unprocessable([
        { ...blankAttribute("contactable"), source: { pointer: "data/relationships/contactable" } },
      ]);
    }
    const record = storeEntry(owner, {
      ...pick(attributes, WRITABLE_ENTRY_ATTRIBUTES),
      type: ENTRY_TYPES[String(attributes.type)],
      contactable_type: contactableType,
    });
    return single(record, request.query, 201);
  }

  function updateEntry(request: RecordedRequest, entry: JsonApiRecord): FakeResponse {
    const attributes = pick(
      dataOf(request.body)?.attributes ?? {},
      WRITABLE_ENTRY_ATTRIBUTES.filter((name) => name !== "contactable_type"),
    );
    const errors = entryErrors(attributes, false);
    if (errors.length > 0) return unprocessable(errors);
    Object.assign(
      entry.attributes,
      attributes,
      "type" in attributes ? { type: ENTRY_TYPES[String(attributes.type)] } : {},
    );
    return single(entry, request.query);
  }

  function route(request: RecordedRequest): FakeResponse {
    const { method, path } = request;
    const companyMatch = /^\/api\/v2\/companies\/([^/]+)(?:\/(archive|restore))?$/.exec(path);
    const entryMatch = /^\/api\/v2\/contact_entries\/([^/]+)$/.exec(path);
    if (path === "/api/v2/companies") {
      if (method === "GET") return listCompanies(request);
      if (method === "POST") return createCompany(request);
    }
    if (path === "/api/v2/contact_entries") {
      if (method === "GET") return listEntries(request);
      if (method === "POST") return createEntry(request);
    }
    if (companyMatch) {
      const [, id = "", action] = companyMatch;
      const company = companies.get(id);
      if (!company) return notFound();
      if (method === "GET" && !action) return single(company, request.query);
      if (method === "PATCH" && !action) return updateCompany(request, company);
      if (method === "PATCH") {
        // Archiving an archived company keeps the time it was first archived.
        company.attributes.archived_at =
          action === "archive" ? (company.attributes.archived_at ?? now()) : null;
        return single(company, request.query);
      }
    }
    if (entryMatch) {
      const [, id = ""] = entryMatch;
      const entry = entries.get(id);
      if (!entry) return notFound();
      if (method === "GET") return single(entry, request.query);
      if (method === "PATCH") return updateEntry(request, entry);
      if (method === "DELETE") {
        entries.delete(id);
        return { status: 204 };
      }
    }
    return jsonApi(404, errorsBody({ status: "404", code: "route_not_found", title: "Not Found" }));
  }

  function handle(request: RecordedRequest): FakeResponse {
    if (
      request.headers["x-auth-token"] !== token ||
      request.headers["x-organization-id"] !== organizationId
    ) {
      return jsonApi(
        401,
        errorsBody({ status: "401", code: "unauthorized", title: "Unauthorized", detail: "Invalid token" }),
      );
    }
    if (request.body !== undefined && !String(request.headers["content-type"] ?? "").startsWith(JSON_API)) {
      return jsonApi(
        415,
        errorsBody({ status: "415", title: "Unsupported Media Type", detail: `use ${JSON_API}` }),
      );
    }
    return route(request);
  }

  const server = await startFakeServer(handle, {
    reset: () => {
      companies.clear();
      entries.clear();
      runawayPages = false;
    },
  });

  return {
    ...server,
    config: {
      apiToken: token,
      organizationId,
      baseUrl: server.origin,
      rateLimits: unreachedRateLimits("PRODUCTIVE"),
    },
    addCompany: (attributes = {}) => storeCompany(attributes),
    addContactEntry: (owner, attributes = {}) =>
      storeEntry(owner, {
        ...(typeof owner === "string" ? {} : { contactable_type: ANSWERED_CONTACTABLE[owner.type] }),
        ...attributes,
      }),
    claimRunawayPages: (on) => {
      runawayPages = on;
    },
  };
}

/** A failure `code` (500, 401, …) with Productive's JSON:API error body, for `failNext`. */
export function productiveStatus(code: number): FakeResponse {
  return jsonApi(code, errorsBody({ status: String(code), title: STATUS_CODES[code] }));
}

/** A company as Productive's examples show it: every attribute, defaults where `attributes` are silent. */
export function companyRecord(id: string, attributes: Json = {}, organizationId = "207"): JsonApiRecord {
  const created = (attributes.created_at as string | undefined) ?? "2025-07-24T06:04:41.953+02:00";
  const name = String(attributes.name ?? `Client${id}`);
  return {
    id,
    type: "companies",
    attributes: {
      ...structuredClone(EMPTY_COMPANY_ATTRIBUTES),
      name,
      created_at: created,
      last_activity_at: created,
      company_code: companyCode(name, id),
      ...attributes,
    },
    relationships: companyRelationships(organizationId),
  };
}

/**
 * A contact entry as Productive's examples show it (an email of a company unless `attributes` say
 * otherwise); `owner`: a company's id, or any owner.
 */
export function contactEntryRecord(
  id: string,
  owner: string | ContactEntryOwner | null,
  attributes: Json = {},
  organizationId = "207",
): JsonApiRecord {
  return {
    id,
    type: "contact_entries",
    attributes: {
      ...EMPTY_CONTACT_ENTRY_ATTRIBUTES,
      contactable_type: "company",
      type: "email",
      ...attributes,
    },
    relationships: contactEntryRelationships(
      organizationId,
      typeof owner === "string" ? { type: "COMPANY", id: owner } : owner,
    ),
  };
}

/** One page of a Productive list: `data`, `links` and the pagination `meta` its examples show. */
export function listDocument(
  data: JsonApiRecord[],
  page: { number: number; size: number; totalCount: number; url?: string },
): Json {
  const totalPages = Math.ceil(page.totalCount / page.size);
  const link = (number: number) =>
    `${page.url ?? "http://api-test.productive.io/api/v2"}?page%5Bnumber%5D=${number}&page%5Bsize%5D=${page.size}`;
  return {
    data,
    links: { first: link(1), last: link(Math.max(totalPages, 1)) },
    meta: {
      current_page: page.number,
      total_pages: totalPages,
      total_count: page.totalCount,
      page_size: page.size,
      max_page_size: MAX_PAGE_SIZE,
    },
  };
}

export interface MockedProductive extends Pick<MockUpstream, "sent" | "events" | "maxInFlight" | "close"> {
  sources: ProductiveSources;
  config: ProductiveConfig;
  /** Answers every `method` request to `/api/v2/<resource>` (any query) with `respond`. */
  answer(method: string, resource: string, respond: FakeHandler): void;
}

/** The adapter on the MockAgent harness, answering what each test registers with `answer`. */
export function mockProductive(): MockedProductive {
  const config: ProductiveConfig = {
    apiToken: "secret-token",
    organizationId: "42",
    baseUrl: "https://productive.test",
    rateLimits: unreachedRateLimits("PRODUCTIVE"),
  };
  const routes = new Map<string, FakeHandler>();
  const upstream = mockUpstream(config.baseUrl, (request) => {
    const respond = routes.get(`${request.method} ${request.path}`);
    if (!respond) throw new Error(`no answer registered for ${request.method} ${request.path}`);
    return respond(request);
  });
  const sources = createProductiveSources(config, upstream);
  return {
    sources,
    config,
    sent: upstream.sent,
    events: upstream.events,
    maxInFlight: upstream.maxInFlight,
    answer(method, resource, respond) {
      routes.set(`${method} /api/v2/${resource}`, respond);
    },
    async close() {
      await sources.close();
      await upstream.close();
    },
  };
}

function relatedId(entry: JsonApiRecord, relationship: string): string | null {
  const data = entry.relationships[relationship]?.data as { id: string } | undefined;
  return data?.id ?? null;
}

/** The id of the entry's owner, the relationship its `contactable_type` names. */
function ownerIdOf(entry: JsonApiRecord): string | null {
  const type = String(entry.attributes.contactable_type);
  const owner = Object.entries(ANSWERED_CONTACTABLE).find(([, answered]) => answered === type)?.[0];
  return owner ? relatedId(entry, OWNER_RELATIONSHIPS[owner as ContactableType].relationship) : null;
}

/** The one owner relationship a create names, with its id. */
function ownerOf(data: ReturnType<typeof dataOf>): ContactEntryOwner | null {
  for (const [type, { relationship }] of Object.entries(OWNER_RELATIONSHIPS)) {
    const id = relationshipId(data, relationship);
    if (id !== null) return { type: type as ContactableType, id };
  }
  return null;
}

const documented = (spellings: Record<string, string>, value: unknown) =>
  typeof value === "string" && Object.hasOwn(spellings, value);

function companyCode(name: string, id: string): string {
  return `${
    name
      .replace(/[^a-z]/gi, "")
      .slice(0, 4)
      .toUpperCase() || "COMP"
  }${id}`;
}

function dataOf(
  body: unknown,
): { attributes?: Json; relationships?: Record<string, { data?: { id?: unknown } }> } | undefined {
  return (body as { data?: never } | undefined)?.data;
}

function relationshipId(data: ReturnType<typeof dataOf>, name: string): string | null {
  const id = data?.relationships?.[name]?.data?.id;
  return id === undefined || id === null ? null : String(id);
}

function pick(attributes: Json, names: readonly string[]): Json {
  return Object.fromEntries(Object.entries(attributes).filter(([name]) => names.includes(name)));
}

function includes(q: URLSearchParams, relationship: string): boolean {
  return commaList(q.get("include"))?.includes(relationship) ?? false;
}

function commaList(value: string | null | undefined): string[] | undefined {
  return value === null || value === undefined ? undefined : value.split(",").filter(Boolean);
}

function positiveInt(value: string | null): number | undefined {
  return value && /^[1-9]\d*$/.test(value) ? Number(value) : undefined;
}

const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
/** `supported`: what follows "filter[" in each parameter the endpoint knows. */
function unsupportedFilter(q: URLSearchParams, supported: string[]): FakeResponse | null {
  for (const key of q.keys()) {
    if (key.startsWith("filter[") && !supported.some((filter) => key === `filter[${filter}`)) {
      return badRequest("Unsupported Filter", `${key} is not supported on this endpoint`);
    }
  }
  return null;
}

const errorsBody = (...errors: Json[]) => ({ errors });
const jsonApi = (status: number, body: Json): FakeResponse => ({
  status,
  headers: { "content-type": `${JSON_API}; charset=utf-8` },
  body,
});
const ok = (body: Json) => jsonApi(200, body);
const unprocessable = (errors: Json[]) => jsonApi(422, errorsBody(...errors));
const badRequest = (title: string, detail: string) =>
  jsonApi(400, errorsBody({ status: "400", code: "bad_request", title, detail }));
const notFound = () =>
  jsonApi(404, errorsBody({ status: "404", code: "record_not_found", title: "Record not found" }));

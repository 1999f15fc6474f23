import { z } from "zod";
import type { ProductiveConfig } from "../../config.ts";
import type { Page, PageRequest, RawRecord } from "../../domain/index.ts";
import { BadUserInputError, UpstreamError } from "../../errors.ts";
import { readPageWindow } from "../../http/page-window.ts";
import { createProviderClient, type ProviderClient, type WriteRequest } from "../../http/provider-client.ts";
import { parseUpstream, refusedWrite, type UpstreamResponse } from "../../http/responses.ts";
import {
  createUpstreamClient,
  credentialKey,
  type QueryValue,
  type UpstreamSettings,
} from "../../http/upstream-client.ts";
import { fieldErrorsFromJsonApi, UnknownEnumValueError } from "../../providers/productive/mapping.ts";
import { JsonApiErrors } from "../../providers/productive/records.ts";
import { assertFilterSendable } from "../../providers/productive/rules.ts";
import { DOCUMENTED_RATE_LIMITS } from "../../providers/rate-limits.ts";
import { MAX_QUOTED_INPUT, truncate } from "../../security/redaction.ts";

/**
 * Productive's API v2 on the shared provider client: its credentials and JSON:API media type, its
 * refusals in JSON:API error bodies, and its numbered pages turned into the ports' offset windows
 * and into full scans.
 */

const PROVIDER = "PRODUCTIVE";
const API_PATH = "/api/v2";
const JSON_API = "application/vnd.api+json";
export const MAX_UPSTREAM_PAGE_SIZE = 200;

export type Query = Record<string, QueryValue>;

// The envelope only: each record is validated once, by its own schema, where it is mapped (`mapRecord`).
const Records = z.array(z.unknown());
const PageMeta = z.looseObject({
  total_count: z.number().int().nonnegative(),
  total_pages: z.number().int().nonnegative(),
});
const ListDocument = z.looseObject({ data: Records, included: Records.optional(), meta: PageMeta });
const SingleDocument = z.looseObject({ data: z.unknown(), included: Records.optional() });

/**
 * What a JSON:API answer holds: its primary data, and the related records an `include=` asked for,
 * as received (not yet validated).
 */
export interface Document<Data> {
  data: Data;
  included: unknown[];
}

export function createProductiveClient(config: ProductiveConfig, upstream: UpstreamSettings): ProviderClient {
  const http = createUpstreamClient({
    provider: PROVIDER,
    origin: config.baseUrl,
    // Productive documents its windows but not the headers of its 429: the shortest window is the pause.
    rateLimits: config.rateLimits ?? DOCUMENTED_RATE_LIMITS.PRODUCTIVE,
    budgetKey: credentialKey(config.organizationId, config.apiToken),
    settings: upstream,
    headers: () => ({
      accept: JSON_API,
      "content-type": JSON_API,
      "x-auth-token": config.apiToken,
      "x-organization-id": config.organizationId,
    }),
  });
  return createProviderClient(http, {
    path: (path) => `${API_PATH}${path}`,
    queryRefusal: unsupportedQuery,
    // A 400 on a write is Productive refusing the body, which for the client is invalid input.
    writeRefusal: refusedWrite({ schema: JsonApiErrors, fieldErrors: fieldErrorsFromJsonApi }),
  });
}

async function fetchPage(
  client: ProviderClient,
  resource: string,
  query: Query,
  number: number,
  size: number,
) {
  const response = await client.read({
    method: "GET",
    path: `/${resource}`,
    query: { ...query, "page[number]": number, "page[size]": size },
    what: `${resourceWords(resource)} list read`,
  });
  return parseUpstream(PROVIDER, ListDocument, response.body, `${resourceWords(resource)} page`);
}

/** The window `offset`..`offset + limit` of a list, read from the (at most two) pages that cover it. */
export async function fetchWindow(
  client: ProviderClient,
  resource: string,
  query: Query,
  window: PageRequest,
): Promise<Document<Page<unknown>>> {
  const included: unknown[] = [];
  const data = await readPageWindow(window, MAX_UPSTREAM_PAGE_SIZE, async (number, size) => {
    const page = await fetchPage(client, resource, query, number, size);
    included.push(...(page.included ?? []));
    return {
      records: page.data,
      hasNextPage: number < page.meta.total_pages,
      totalCount: page.meta.total_count,
    };
  });
  return { data, included };
}

/**
 * The most pages one read follows, whatever Productive claims: 5,000 records. A list that claims
 * more is refused as BAD_RESPONSE rather than followed page after page.
 */
export const MAX_PAGES_PER_READ = 25;

/** The first page of a list, for a read that one page holds whole (a batch of at most 200 ids). */
export async function fetchFirst(client: ProviderClient, resource: string, query: Query) {
  const page = await fetchPage(client, resource, query, 1, MAX_UPSTREAM_PAGE_SIZE);
  return { data: page.data, included: page.included ?? [] };
}

/**
 * Every record of a list: the first page, then all the others at once (the first names how many),
 * paced by the rate budget; more than `cap.maxPages` pages is the caller's `tooMany` error, and more
 * than `MAX_PAGES_PER_READ` is never followed.
 */
export async function fetchAll(
  client: ProviderClient,
  resource: string,
  query: Query,
  cap?: { maxPages: number; tooMany: string },
): Promise<Document<unknown[]>> {
  const first = await fetchPage(client, resource, query, 1, MAX_UPSTREAM_PAGE_SIZE);
  const pages = first.meta.total_pages;
  if (cap && pages > cap.maxPages) throw new BadUserInputError(cap.tooMany);
  if (pages > MAX_PAGES_PER_READ) {
    throw new UpstreamError(
      PROVIDER,
      "BAD_RESPONSE",
      `${PROVIDER} claims ${pages} pages of ${resource}; the gateway reads at most ${MAX_PAGES_PER_READ} pages for one list`,
    );
  }
  const others = first.data.length === 0 ? 0 : pages - 1;
  const rest = await Promise.all(
    Array.from({ length: others }, (_, index) =>
      fetchPage(client, resource, query, index + 2, MAX_UPSTREAM_PAGE_SIZE),
    ),
  );
  const all = [first, ...rest];
  return {
    data: all.flatMap((page) => page.data),
    included: all.flatMap((page) => page.included ?? []),
  };
}

/** One record, or null when Productive answers 404. */
export async function fetchOne(
  client: ProviderClient,
  resource: string,
  id: string,
  query: Query,
): Promise<Document<unknown> | null> {
  const what = `${resourceWords(resource)} read by id`;
  const response = await client.find({ method: "GET", path: `/${resource}/${id}`, query, what });
  return response ? singleDocument(response, what) : null;
}

/** A create or change of one record, which Productive answers with the record. */
export function writeRecord<T>(
  client: ProviderClient,
  request: Omit<WriteRequest, "expected">,
  read: (answer: Document<unknown>) => T,
): Promise<T> {
  return client.write({ ...request, expected: [200, 201] }, (response) =>
    read(singleDocument(response, request.what)),
  );
}

export async function deleteRecord(
  client: ProviderClient,
  request: Pick<WriteRequest, "path" | "target" | "what">,
): Promise<void> {
  await client.write({ ...request, method: "DELETE", expected: [204, 200] }, () => undefined);
}

/** The one record a call's answer holds; `what` names the call. */
function singleDocument(response: UpstreamResponse, what: string): Document<unknown> {
  const answer = `answer to the ${what}`;
  const { data, included = [] } = parseUpstream(PROVIDER, SingleDocument, response.body, answer);
  return { data, included };
}

/**
 * Validates one record of a document (the one validation it gets) and maps it to the domain, with
 * the record as received as its `raw`; what the mapping cannot read is BAD_RESPONSE.
 */
export function mapRecord<S extends z.ZodType, T>(
  schema: S,
  raw: unknown,
  what: string,
  toDomain: (record: z.output<S>, raw: RawRecord) => T,
): T {
  const record = parseUpstream(PROVIDER, schema, raw, what);
  try {
    // The record schemas are objects: what passed them is one.
    return toDomain(record, raw as RawRecord);
  } catch (error) {
    if (!(error instanceof UnknownEnumValueError)) throw error;
    throw new UpstreamError(
      PROVIDER,
      "BAD_RESPONSE",
      `${PROVIDER} sent an unexpected ${what} (${error.message})`,
    );
  }
}

/** How messages name a resource: "contact_entries" → "contact entries". */
const resourceWords = (resource: string) => resource.replaceAll("_", " ");

/** The filter parameters a Productive error names (`filter[vat]`, `filter[created_at][gt]`). */
const FILTER_PARAMETER = /filter(?:\[[\w.]+\])+/g;

/**
 * Productive's 400 on a read ("Unsupported Filter"). The client gets each error's title (a fixed
 * phrase per kind of error, in JSON:API) and the filter parameters it names, which come from the
 * client's own filter; the rest of the detail is free text that may quote values and ids, and only
 * the log gets it.
 */
function unsupportedQuery(response: UpstreamResponse): BadUserInputError {
  const parsed = JsonApiErrors.safeParse(response.body);
  const errors = parsed.success ? parsed.data.errors : [];
  const titles = new Set(
    errors.flatMap((error) => (error.title ? [truncate(error.title, MAX_QUOTED_INPUT)] : [])),
  );
  const parameters = new Set(errors.flatMap((error) => error.detail?.match(FILTER_PARAMETER) ?? []));
  const named = parameters.size > 0 ? ` (${[...parameters].join(", ")})` : "";
  return new BadUserInputError(
    `Productive refused the query: ${[...titles].join("; ") || "bad request"}${named}`,
  );
}

/** How each field of a domain filter becomes Productive `filter[...]` parameters. */
export type FilterParameters<F> = { [K in keyof Required<F>]: (value: NonNullable<F[K]>) => Query };

/**
 * A filter field Productive cannot apply is refused, never dropped: dropping it would widen the
 * result. So is a parameter two fields set differently (`createdAfter` and `createdAt.gt`), since
 * only one value can be sent.
 */
export function filterQuery<F extends object>(
  parameters: FilterParameters<F>,
  filter: F,
  records: string,
): Query {
  assertFilterSendable(filter, records);
  const query: Query = {};
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined || value === null) continue;
    const toParameters = (parameters as Record<string, ((value: unknown) => Query) | undefined>)[field];
    if (!toParameters) throw new BadUserInputError(`Productive cannot filter ${records} by ${field}`);
    for (const [parameter, sent] of Object.entries(toParameters(value))) {
      if (parameter in query && query[parameter] !== sent) {
        throw new BadUserInputError(`Productive takes one value for ${parameter}: ${field} sets it again`);
      }
      query[parameter] = sent;
    }
  }
  return query;
}

/** Whether some field of a filter lists no value: it matches nothing, but sent empty Productive would ignore it. */
export const matchesNothing = (filter: object) =>
  Object.values(filter).some((value) => Array.isArray(value) && value.length === 0);

export const emptyPage = <T>(): Page<T> => ({ items: [], hasNextPage: false, totalCount: 0 });

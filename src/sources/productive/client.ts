import { z } from "zod";
import type { ProductiveConfig } from "../../config.ts";
import type { Page, PageRequest, RawRecord, RecordKind } from "../../domain/index.ts";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../errors.ts";
import { readPageWindow } from "../../http/page-window.ts";
import {
  createUpstreamClient,
  type HttpMethod,
  parseUpstream,
  type QueryValue,
  type UpstreamResponse,
  type UpstreamSettings,
  unexpectedStatus,
} from "../../http/upstream-client.ts";
import { fieldErrorsFromJsonApi, JsonApiErrors, UnknownEnumValueError } from "./mapping.ts";

/**
 * Productive's API v2 over the shared upstream client: its credentials and JSON:API media type,
 * its numbered pages turned into the ports' offset windows and into full scans, and its error
 * statuses turned into the typed errors the ports promise.
 */

const PROVIDER = "PRODUCTIVE";
const API_PATH = "/api/v2";
const JSON_API = "application/vnd.api+json";
export const MAX_UPSTREAM_PAGE_SIZE = 200;
/** Productive documents its windows (100 requests per 10 s) but not the headers of its 429. */
const RATE_LIMIT_WINDOW_SECONDS = 10;

export type Query = Record<string, QueryValue>;

const PageMeta = z.looseObject({
  total_count: z.number().int().nonnegative(),
  total_pages: z.number().int().nonnegative(),
});
const ListDocument = z.looseObject({ data: z.array(z.record(z.string(), z.unknown())), meta: PageMeta });
const SingleDocument = z.looseObject({ data: z.record(z.string(), z.unknown()) });

/** The record a write is about: its 404 becomes this `NotFoundError`. */
export interface Target {
  kind: RecordKind;
  id: string;
}

export interface ProductiveClient {
  /** The window `offset`..`offset + limit` of a list, read from the (at most two) pages that cover it. */
  fetchWindow(resource: string, query: Query, window: PageRequest): Promise<Page<RawRecord>>;
  /** Every record of a list, page after page; more than `maxPages` pages is the caller's `tooMany` error. */
  fetchAll(resource: string, query: Query, cap?: { maxPages: number; tooMany: string }): Promise<RawRecord[]>;
  /** One record, or null when Productive answers 404. */
  fetchOne(resource: string, id: string, query: Query): Promise<RawRecord | null>;
  /** A create or change, answered with the record. Sent once: a write is never retried. */
  write(
    method: HttpMethod,
    path: string,
    target: Target | null,
    body?: unknown,
    query?: Query,
  ): Promise<RawRecord>;
  delete(path: string, target: Target): Promise<void>;
  close(): Promise<void>;
}

export function createProductiveClient(
  config: ProductiveConfig,
  upstream: UpstreamSettings,
): ProductiveClient {
  const http = createUpstreamClient({
    ...upstream,
    provider: PROVIDER,
    origin: config.baseUrl,
    headers: () => ({
      accept: JSON_API,
      "content-type": JSON_API,
      "x-auth-token": config.apiToken,
      "x-organization-id": config.organizationId,
    }),
  });

  async function send(
    method: HttpMethod,
    path: string,
    query: Query,
    body?: unknown,
  ): Promise<UpstreamResponse> {
    try {
      return await http.request({ method, path: `${API_PATH}${path}`, query, body });
    } catch (error) {
      if (
        error instanceof UpstreamError &&
        error.code === "RATE_LIMITED" &&
        error.retryAfterSeconds === null
      ) {
        throw new UpstreamError(PROVIDER, error.code, error.message, RATE_LIMIT_WINDOW_SECONDS);
      }
      throw error;
    }
  }

  async function fetchPage(resource: string, query: Query, number: number, size: number) {
    const what = `${resource} page`;
    const response = await send("GET", `/${resource}`, {
      ...query,
      "page[number]": number,
      "page[size]": size,
    });
    if (response.status === 400) throw unsupportedQuery(response.body);
    if (response.status !== 200) throw unexpectedStatus(PROVIDER, response, `GET ${what}`);
    return parseUpstream(PROVIDER, ListDocument, response.body, what);
  }

  return {
    fetchWindow: (resource, query, window) =>
      readPageWindow(window, MAX_UPSTREAM_PAGE_SIZE, async (number, size) => {
        const { data, meta } = await fetchPage(resource, query, number, size);
        return { records: data, hasNext: number < meta.total_pages, totalCount: meta.total_count };
      }),

    async fetchAll(resource, query, cap) {
      const records: RawRecord[] = [];
      for (let number = 1; ; number++) {
        const page = await fetchPage(resource, query, number, MAX_UPSTREAM_PAGE_SIZE);
        if (cap && page.meta.total_pages > cap.maxPages) throw new BadUserInputError(cap.tooMany);
        records.push(...page.data);
        if (number >= page.meta.total_pages || page.data.length === 0) return records;
      }
    },

    async fetchOne(resource, id, query) {
      const what = `GET ${resource}/${id}`;
      const response = await send("GET", `/${resource}/${id}`, query);
      if (response.status === 404) return null;
      if (response.status === 400) throw unsupportedQuery(response.body);
      if (response.status !== 200) throw unexpectedStatus(PROVIDER, response, what);
      return parseUpstream(PROVIDER, SingleDocument, response.body, what).data;
    },

    async write(method, path, target, body, query = {}) {
      const response = await send(method, path, query, body);
      if (response.status === 200 || response.status === 201) {
        return parseUpstream(PROVIDER, SingleDocument, response.body, `${method} ${path}`).data;
      }
      throw writeError(response, method, path, target);
    },

    async delete(path, target) {
      const response = await send("DELETE", path, {});
      if (response.status !== 204 && response.status !== 200) {
        throw writeError(response, "DELETE", path, target);
      }
    },

    close: () => http.close(),
  };
}

function writeError(
  response: UpstreamResponse,
  method: HttpMethod,
  path: string,
  target: Target | null,
): Error {
  const what = `${method} ${path}`;
  if (response.status === 404 && target) return new NotFoundError(target.kind, target.id);
  // A 400 on a write is Productive refusing the body, which for the client is invalid input.
  if (response.status === 422 || response.status === 400) {
    const errors = parseUpstream(PROVIDER, JsonApiErrors, response.body, `${what} error`);
    return new ValidationError(fieldErrorsFromJsonApi(errors));
  }
  return unexpectedStatus(PROVIDER, response, what);
}

/** Validates one record of a document and maps it to the domain; what the mapping cannot read is BAD_RESPONSE. */
export function mapRecord<S extends z.ZodType, T>(
  schema: S,
  raw: RawRecord,
  what: string,
  toDomain: (record: z.output<S>) => T,
): T {
  const record = parseUpstream(PROVIDER, schema, raw, what);
  try {
    return toDomain(record);
  } catch (error) {
    if (!(error instanceof UnknownEnumValueError)) throw error;
    throw new UpstreamError(
      PROVIDER,
      "BAD_RESPONSE",
      `${PROVIDER} sent an unexpected ${what} (${error.message})`,
    );
  }
}

/** Productive's 400 on a read ("Unsupported Filter", …), with its own words. */
function unsupportedQuery(body: unknown): BadUserInputError {
  const parsed = JsonApiErrors.safeParse(body);
  const reasons = parsed.success
    ? parsed.data.errors.map((error) => [error.title, error.detail].filter(Boolean).join(": "))
    : [];
  return new BadUserInputError(`Productive refused the query: ${reasons.join("; ") || "bad request"}`);
}

/** How each field of a domain filter becomes Productive `filter[...]` parameters. */
export type FilterParameters<F> = { [K in keyof Required<F>]: (value: NonNullable<F[K]>) => Query };

/** A filter field Productive cannot apply is refused, never dropped: dropping it would widen the result. */
export function filterQuery<F extends object>(
  parameters: FilterParameters<F>,
  filter: F,
  records: string,
): Query {
  const query: Query = {};
  for (const [field, value] of Object.entries(filter)) {
    if (value === undefined || value === null) continue;
    const toParameters = (parameters as Record<string, ((value: unknown) => Query) | undefined>)[field];
    if (!toParameters) throw new BadUserInputError(`Productive cannot filter ${records} by ${field}`);
    Object.assign(query, toParameters(value));
  }
  return query;
}

/** Whether some field of a filter lists no value: it matches nothing, but sent empty Productive would ignore it. */
export const matchesNothing = (filter: object) =>
  Object.values(filter).some((value) => Array.isArray(value) && value.length === 0);

export const emptyPage = <T>(): Page<T> => ({ items: [], hasNextPage: false, totalCount: 0 });

/** Productive ids are integers; anything else cannot name a record and is not worth a request. */
export const isProductiveId = (id: string) => /^\d+$/.test(id);

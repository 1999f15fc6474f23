import { PROVIDER_NAMES } from "../domain/common.ts";
import type { BadUserInputError } from "../errors.ts";
import {
  type HttpMethod,
  readAfterWrite,
  type Target,
  type UpstreamResponse,
  unexpectedStatus,
} from "./responses.ts";
import type { ProtectionStatus, QueryValue, UpstreamClient } from "./upstream-client.ts";

/**
 * The one client shape the three REST adapters share: reads that find a record or not, and writes
 * sent once whose outcome is always told (`writeLanded`). What differs between providers (the API
 * root, how they word a refusal) is their `ProviderDialect`.
 */

export interface ProviderRequest {
  method: HttpMethod;
  /** Below the provider's API root (see `ProviderDialect.path`). */
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /**
   * How client messages name the call: what it does, in words ("contact list read", "contact
   * person update"), never its path, which holds the account's and records' ids.
   */
  what: string;
  /** A POST that changes nothing (a read by body), retried like a GET. */
  idempotent?: boolean;
}

export interface WriteRequest extends ProviderRequest {
  /** The record the write changes (the provider's 404 is its `NotFoundError`); null for a create. */
  target: Target | null;
  /** The statuses that mean the write was done; any 2xx when not given. */
  expected?: readonly number[];
}

/** How one provider's API differs from the others, as far as the shared client needs to know. */
export interface ProviderDialect {
  /** The upstream path of an adapter's path: the API root, a format suffix. */
  path(path: string): string;
  /** A read's 400: the provider refusing the query, in its words. Without it a 400 is unexpected. */
  queryRefusal?(response: UpstreamResponse): BadUserInputError;
  /** A write's refusal: a `ValidationError`, or the target's `NotFoundError`; null when the answer says neither. */
  writeRefusal(response: UpstreamResponse, target: Target | null): Error | null;
}

export interface ProviderClient {
  /** A read answered `expected` (default 200): the response; 404: null, the record does not exist. */
  find(request: ProviderRequest, expected?: number): Promise<UpstreamResponse | null>;
  /** A read that must be answered `expected` (default 200); a 404 is as unexpected as any other status. */
  read(request: ProviderRequest, expected?: number): Promise<UpstreamResponse>;
  /**
   * A write, sent once and never retried; `result` makes the answer into what the port returns.
   * Once the provider has accepted the write, a failure of `result` says that the write landed.
   */
  write<T>(request: WriteRequest, result: (response: UpstreamResponse) => T | Promise<T>): Promise<T>;
  /** The breaker and rate budget in front of the provider. */
  protection(): Promise<ProtectionStatus>;
  close(): Promise<void>;
}

const isSuccess = (status: number) => status >= 200 && status < 300;

export function createProviderClient(http: UpstreamClient, dialect: ProviderDialect): ProviderClient {
  const { provider } = http;
  const send = (request: ProviderRequest) =>
    http.request({
      method: request.method,
      path: dialect.path(request.path),
      query: request.query,
      body: request.body,
      idempotent: request.idempotent,
      what: request.what,
    });

  async function receive(request: ProviderRequest, expected: number, notFoundIsNull: boolean) {
    const response = await send(request);
    if (response.status === expected) return response;
    if (response.status === 404 && notFoundIsNull) return null;
    if (response.status === 400 && dialect.queryRefusal) throw dialect.queryRefusal(response);
    throw unexpectedStatus(provider, response, request.what);
  }

  return {
    find: (request, expected = 200) => receive(request, expected, true),
    read: async (request, expected = 200) => (await receive(request, expected, false)) as UpstreamResponse,

    async write(request, result) {
      const response = await send(request);
      const done = request.expected ? request.expected.includes(response.status) : isSuccess(response.status);
      if (done) {
        return readAfterWrite(provider, `${PROVIDER_NAMES[provider]}'s ${request.what}`, () =>
          result(response),
        );
      }
      const refusal = dialect.writeRefusal(response, request.target);
      if (refusal) throw refusal;
      throw unexpectedStatus(provider, response, request.what, "write");
    },

    protection: () => http.protection(),
    close: () => http.close(),
  };
}

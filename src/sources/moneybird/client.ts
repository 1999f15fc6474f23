import type { MoneybirdConfig } from "../../config.ts";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../errors.ts";
import {
  createUpstreamClient,
  type HttpMethod,
  type QueryValue,
  type UpstreamResponse,
  type UpstreamSettings,
  unexpectedStatus,
} from "../../http/upstream-client.ts";
import { readAfterWrite, type Target } from "../../http/write-outcome.ts";
import { fieldErrorsFromMoneybird, namesMissingRecord } from "../../providers/moneybird/mapping.ts";
import { MoneybirdErrorBody } from "../../providers/moneybird/records.ts";

/**
 * Moneybird's API v2 over the shared upstream client: the bearer token, the
 * `/api/v2/{administration_id}/contacts….json` paths, and Moneybird's 400/404/422 answers turned
 * into the typed errors the ports promise. Nothing is retried here (nor in the shared client), so a
 * create is sent exactly once.
 */

export const PROVIDER = "MONEYBIRD";
/** Moneybird's `per_page` ceiling, and the most ids one synchronization call answers. */
export const MAX_PER_CALL = 100;

export interface MoneybirdRequest {
  method: HttpMethod;
  /** Path segments below `/contacts` (each URL-encoded); the `.json` format is appended. */
  path: readonly string[];
  query?: Record<string, QueryValue>;
  body?: unknown;
}

export interface MoneybirdClient {
  /** A read answered with `expected`; null on 404 (the caller knows what that means); 400 is a `BadUserInputError`. */
  read(request: MoneybirdRequest, expected?: number): Promise<UpstreamResponse | null>;
  /**
   * A write answered with `expected`, sent once and never retried (a create addresses no `target`);
   * `read` makes the result of the answer's body, and once Moneybird has accepted the write, a
   * failure to read it says that the write landed.
   */
  write<T>(
    request: MoneybirdRequest,
    expected: number,
    target: Target | null,
    read: (body: unknown) => T,
  ): Promise<T>;
  close(): Promise<void>;
}

export function createMoneybirdClient(config: MoneybirdConfig, upstream: UpstreamSettings): MoneybirdClient {
  const http = createUpstreamClient({
    ...upstream,
    provider: PROVIDER,
    origin: config.baseUrl,
    headers: () => ({ authorization: `Bearer ${config.apiToken}` }),
  });
  const contactsPath = `/api/v2/${encodeURIComponent(config.administrationId)}/contacts`;

  const send = (request: MoneybirdRequest) =>
    http.request({
      method: request.method,
      path: `${contactsPath}${request.path.map((segment) => `/${encodeURIComponent(segment)}`).join("")}.json`,
      query: request.query,
      body: request.body,
    });
  const describe = (request: MoneybirdRequest) => `${request.method} /contacts/${request.path.join("/")}`;

  return {
    async read(request, expected = 200) {
      const response = await send(request);
      if (response.status === expected) return response;
      if (response.status === 404) return null;
      if (response.status === 400)
        throw new BadUserInputError(`Moneybird refused the request: ${message(response)}`);
      throw unexpectedStatus(PROVIDER, response, describe(request));
    },

    async write(request, expected, target, read) {
      const response = await send(request);
      if (response.status === expected) {
        return readAfterWrite(PROVIDER, `Moneybird's ${describe(request)}`, () => read(response.body));
      }
      const failure = refusal(response, target);
      if (failure) throw failure;
      throw unexpectedStatus(PROVIDER, response, describe(request), "write");
    },

    close: () => http.close(),
  };
}

/**
 * 404 is the addressed record missing, unless the body names an input (a product or custom field
 * that does not exist); 400 and 422 are invalid input, unless the body says the record the path
 * addresses is missing (Moneybird answers a note on a missing contact with 400).
 */
function refusal(response: UpstreamResponse, target: Target | null): Error | null {
  if (![400, 404, 422].includes(response.status)) return null;
  const body = MoneybirdErrorBody.safeParse(response.body);
  const fieldErrors = body.success
    ? fieldErrorsFromMoneybird(body.data)
    : [{ path: [], message: `Moneybird refused the input (status ${response.status})` }];
  const namesInput = fieldErrors.some((error) => error.path.length > 0);
  const missing = response.status === 404 ? !namesInput : body.success && namesMissingRecord(body.data);
  return missing && target ? new NotFoundError(target.kind, target.id) : new ValidationError(fieldErrors);
}

/** Moneybird answers 404 for the contact list when the administration does not exist. */
export const unknownAdministration = () =>
  new UpstreamError(PROVIDER, "BAD_RESPONSE", "Moneybird does not know MONEYBIRD_ADMINISTRATION_ID (404)");

function message(response: UpstreamResponse): string {
  const body = MoneybirdErrorBody.safeParse(response.body);
  if (!body.success) return `status ${response.status}`;
  return typeof body.data.error === "string" ? body.data.error : JSON.stringify(body.data.error);
}

import type { MoneybirdConfig } from "../../config.ts";
import { BadUserInputError, NotFoundError, UpstreamError, ValidationError } from "../../errors.ts";
import { createProviderClient, type ProviderClient } from "../../http/provider-client.ts";
import { boundedFieldErrors, type Target, type UpstreamResponse } from "../../http/responses.ts";
import { createUpstreamClient, credentialKey, type UpstreamSettings } from "../../http/upstream-client.ts";
import { fieldErrorsFromMoneybird, namesMissingRecord } from "../../providers/moneybird/mapping.ts";
import { MoneybirdErrorBody } from "../../providers/moneybird/records.ts";
import { DOCUMENTED_RATE_LIMITS } from "../../providers/rate-limits.ts";

/**
 * Moneybird's API v2 on the shared provider client: the bearer token, the
 * `/api/v2/{administration_id}/contacts….json` paths, and Moneybird's 400/404/422 answers turned
 * into the typed errors the ports promise.
 */

export const PROVIDER = "MONEYBIRD";
/** Moneybird's `per_page` ceiling, and the most ids one synchronization call answers. */
export const MAX_PER_CALL = 100;

/** The path below `/api/v2/{administration_id}` of `/contacts` and the segments after it (each URL-encoded). */
export const contactsPath = (...segments: readonly string[]) =>
  `/contacts${segments.map((segment) => `/${encodeURIComponent(segment)}`).join("")}`;

export function createMoneybirdClient(config: MoneybirdConfig, upstream: UpstreamSettings): ProviderClient {
  const http = createUpstreamClient({
    provider: PROVIDER,
    origin: config.baseUrl,
    rateLimits: config.rateLimits ?? DOCUMENTED_RATE_LIMITS.MONEYBIRD,
    budgetKey: credentialKey(config.apiToken),
    settings: upstream,
    headers: () => ({ authorization: `Bearer ${config.apiToken}` }),
  });
  const root = `/api/v2/${encodeURIComponent(config.administrationId)}`;
  return createProviderClient(http, {
    path: (path) => `${root}${path}.json`,
    // Moneybird's words on a bad query are free text that may quote the request (the log gets them):
    // the gateway checks the filters it sends, so the client learns only that Moneybird refused.
    queryRefusal: (response) => new BadUserInputError(`Moneybird refused the query (${response.status})`),
    writeRefusal: refusal,
  });
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
  return missing && target
    ? new NotFoundError(target.kind, target.id)
    : new ValidationError(boundedFieldErrors(fieldErrors));
}

/** Moneybird answers 404 for the contact list when the administration does not exist. */
export const unknownAdministration = () =>
  new UpstreamError(PROVIDER, "BAD_RESPONSE", "Moneybird does not know MONEYBIRD_ADMINISTRATION_ID (404)");

import { z } from "zod";
import type { FreeAgentConfig } from "../../config.ts";
import { UpstreamError } from "../../errors.ts";
import { createProviderClient, type ProviderClient } from "../../http/provider-client.ts";
import {
  parseUpstream,
  refusedWrite,
  type UpstreamResponse,
  unexpectedStatus,
} from "../../http/responses.ts";
import {
  createUpstreamClient,
  credentialKey,
  type UpstreamClient,
  type UpstreamSettings,
} from "../../http/upstream-client.ts";
import { fieldErrorsFromFreeAgent } from "../../providers/freeagent/mapping.ts";
import { FreeAgentErrorBody } from "../../providers/freeagent/records.ts";
import { DOCUMENTED_RATE_LIMITS } from "../../providers/rate-limits.ts";

/**
 * FreeAgent's API v2 on the shared provider client: its User-Agent, its error bodies, and an
 * access token refreshed when FreeAgent rejects it.
 */

export const PROVIDER = "FREEAGENT";
/** FreeAgent refuses requests without a User-Agent; this one names the gateway. */
export const FREEAGENT_USER_AGENT = "contacts-gateway (GraphQL gateway; FreeAgent contacts)";
export const TOKEN_ENDPOINT_PATH = "/v2/token_endpoint";

export function createFreeAgentClient(config: FreeAgentConfig, upstream: UpstreamSettings): ProviderClient {
  const http = createUpstreamClient({
    provider: PROVIDER,
    origin: config.baseUrl,
    rateLimits: config.rateLimits ?? DOCUMENTED_RATE_LIMITS.FREEAGENT,
    // FreeAgent counts per user: the refresh credentials (or the one access token) name that user.
    budgetKey: credentialKey(
      config.refresh?.clientId ?? "",
      config.refresh?.refreshToken ?? config.accessToken,
    ),
    settings: upstream,
    headers: () => ({ "user-agent": FREEAGENT_USER_AGENT }),
  });
  const tokens = createTokenRefresher(http, config);

  // The token goes on each request explicitly, so a 401 is always traced to the token it rejected.
  const send = (request: Parameters<UpstreamClient["request"]>[0], accessToken: string) =>
    http.request({ ...request, headers: { ...request.headers, authorization: `Bearer ${accessToken}` } });

  /**
   * On a 401, when refresh credentials are configured, the token is refreshed once and the request
   * replayed once: FreeAgent refuses an unauthorised request before acting on it, so even a create
   * is safe to replay.
   */
  const authorised: UpstreamClient = {
    provider: PROVIDER,
    async request(request) {
      const accessToken = tokens.accessToken();
      try {
        return await send(request, accessToken);
      } catch (error) {
        if (!(error instanceof UpstreamError && error.code === "UNAUTHORIZED" && tokens.canRefresh))
          throw error;
        await tokens.replace(accessToken);
        return send(request, tokens.accessToken());
      }
    },
    protection: () => http.protection(),
    close: () => http.close(),
  };
  return createProviderClient(authorised, {
    path: (path) => path,
    writeRefusal: refusedWrite({ schema: FreeAgentErrorBody, fieldErrors: fieldErrorsFromFreeAgent }),
  });
}

const TokenResponse = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().optional(),
  refresh_token: z.string().min(1).optional(),
});

interface TokenRefresher {
  readonly canRefresh: boolean;
  accessToken(): string;
  /**
   * Makes sure the current access token is not `rejected`: refreshes it unless another request
   * already did. Concurrent callers share one call to the token endpoint.
   */
  replace(rejected: string): Promise<void>;
}

/**
 * Holds the access token in memory: a refreshed token (and a rotated refresh token) lives as long
 * as the process, and a restart starts again from FREEAGENT_ACCESS_TOKEN.
 */
function createTokenRefresher(http: UpstreamClient, config: FreeAgentConfig): TokenRefresher {
  const credentials = config.refresh;
  let accessToken = config.accessToken;
  let refreshToken = credentials?.refreshToken ?? "";
  let refreshing: Promise<void> | null = null;
  // A refresh token FreeAgent refused stays refused; asking again would only burn the
  // 15-refreshes-a-minute allowance, so later 401s fail at once with the same error.
  let refusal: UpstreamError | null = null;

  async function refresh(clientId: string, clientSecret: string): Promise<void> {
    let response: UpstreamResponse;
    try {
      response = await http.request({
        method: "POST",
        path: TOKEN_ENDPOINT_PATH,
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
        what: "access token refresh",
      });
    } catch (error) {
      if (error instanceof UpstreamError && (error.code === "UNAUTHORIZED" || error.code === "FORBIDDEN")) {
        throw refused(error.code === "UNAUTHORIZED" ? 401 : 403);
      }
      throw error;
    }
    if (response.status === 400) throw refused(400);
    if (response.status !== 200) throw unexpectedStatus(PROVIDER, response, "access token refresh");
    const tokens = parseUpstream(PROVIDER, TokenResponse, response.body, "token response");
    accessToken = tokens.access_token;
    refreshToken = tokens.refresh_token ?? refreshToken;
  }

  function refused(status: number): UpstreamError {
    refusal = new UpstreamError(
      PROVIDER,
      "UNAUTHORIZED",
      `FREEAGENT refused to refresh the access token (status ${status}); configure new FreeAgent credentials`,
    );
    return refusal;
  }

  return {
    canRefresh: credentials !== null,
    accessToken: () => accessToken,
    async replace(rejected) {
      if (accessToken !== rejected || !credentials) return;
      if (refusal) throw refusal;
      refreshing ??= refresh(credentials.clientId, credentials.clientSecret).finally(() => {
        refreshing = null;
      });
      await refreshing;
    },
  };
}

import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { afterEach, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway.ts";
import { quietLogger } from "../support/logging.ts";

/** Keys made for these tests only: long enough for GATEWAY_API_KEYS, and easy to search for in a body. */
export const FULL_KEY = "full-key-0123456789abcdef0123456789abcdef";
export const READ_KEY = "read-key-0123456789abcdef0123456789abcdef";

/** A gateway over a fresh seeded `:memory:` store, configured by `env` on top of that. */
export function openConfiguredGateway(
  env: Record<string, string>,
  options: Omit<GatewayOptions, "config"> = {},
): Promise<Gateway> {
  return createGateway({
    config: loadConfig({ STORE_URL: ":memory:", ...env }),
    logger: quietLogger,
    ...options,
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // biome-ignore lint/suspicious/noExplicitAny: the data of an ad-hoc selection, as in test/support/graphql.ts
  json: any;
}

/** POSTs `body` (JSON-encoded unless a string) to /graphql through `yoga.fetch`, with `headers`. */
export async function post(
  gateway: Gateway,
  body: string | { query: string; variables?: Record<string, unknown>; operationName?: string },
  headers: Record<string, string> = {},
): Promise<Answer> {
  return answer(
    await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }),
  );
}

export async function get(
  gateway: Gateway,
  path: string,
  headers: Record<string, string> = {},
): Promise<Answer> {
  return answer(await gateway.yoga.fetch(`http://gateway.test${path}`, { headers }));
}

async function answer(response: Response): Promise<Answer> {
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

export const bearer = (credential: string) => ({ authorization: `Bearer ${credential}` });

export const CREATE_COMPANY = `mutation { createCompany(input: { name: "Keyholder Ltd" }) { __typename } }`;
export const COUNT_COMPANIES = "{ companies(first: 1) { totalCount } }";

export interface IdentityProvider {
  /** The JWKS document's URL, on 127.0.0.1. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  /**
   * A token for this issuer and audience, valid for 5 minutes, signed with the published key (or
   * the foreign one) under its key id (or `kid`); `claims` override any of that.
   */
  sign(claims?: JWTPayload, options?: { key?: "published" | "foreign"; kid?: string }): Promise<string>;
  /** How often the JWKS document was fetched. */
  jwksRequests(): number;
  close(): Promise<void>;
}

/**
 * A local identity provider: an RS256 key pair made for the test, its public half published as a
 * JWKS on 127.0.0.1, and a second "foreign" key pair it never publishes.
 */
export async function startIdentityProvider(): Promise<IdentityProvider> {
  const published = await generateKeyPair("RS256", { extractable: true });
  const foreign = await generateKeyPair("RS256", { extractable: true });
  const kid = "test-key-1";
  const jwks = { keys: [{ ...(await exportJWK(published.publicKey)), kid, alg: "RS256", use: "sig" }] };
  let requests = 0;
  const server = createServer((_request, response) => {
    requests++;
    response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(jwks));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const issuer = "https://idp.test/";
  const audience = "contacts-gateway";
  return {
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    issuer,
    audience,
    sign: (claims = {}, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sub: "user-1", iss: issuer, aud: audience, iat: now, exp: now + 300, ...claims })
        .setProtectedHeader({ alg: "RS256", kid: options.kid ?? kid })
        .sign(options.key === "foreign" ? foreign.privateKey : published.privateKey);
    },
    jwksRequests: () => requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Gateways a test file opens with `gatewayWith(env)`, closed (and their spies restored) after each
 * test. Call once at the top of the file.
 */
export function useConfiguredGateways(): (env?: Record<string, string>) => Promise<Gateway> {
  const gateways: Gateway[] = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    await Promise.all(gateways.splice(0).map((gateway) => gateway.close()));
  });
  return async (env = {}) => {
    const gateway = await openConfiguredGateway(env);
    gateways.push(gateway);
    return gateway;
  };
}

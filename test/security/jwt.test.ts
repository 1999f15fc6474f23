import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Gateway } from "../../src/gateway.ts";
import {
  type Answer,
  bearer,
  COUNT_COMPANIES,
  CREATE_COMPANY,
  FULL_KEY,
  get,
  type IdentityProvider,
  openConfiguredGateway,
  post,
  startIdentityProvider,
} from "./support.ts";

let idp: IdentityProvider;
let gateway: Gateway;
/** Every answer, and every line the gateway logged, searched for the tokens at the end. */
const answers: Answer[] = [];
const tokens: string[] = [];
const logged: unknown[][] = [];

const jwtEnv = (provider: IdentityProvider) => ({
  JWT_JWKS_URL: provider.jwksUrl,
  JWT_ISSUER: provider.issuer,
  JWT_AUDIENCE: provider.audience,
});

beforeAll(async () => {
  // The JWT plugin warns of each token it refuses (through yoga's logger): kept, and searched too.
  vi.spyOn(console, "warn").mockImplementation((...args) => logged.push(args));
  idp = await startIdentityProvider();
  gateway = await openConfiguredGateway(
    { ...jwtEnv(idp), GATEWAY_API_KEYS: FULL_KEY },
    { logError: (error) => logged.push([error]) },
  );
});
afterAll(async () => {
  await gateway.close();
  await idp.close();
  vi.restoreAllMocks();
});

async function send(query: string, token: string): Promise<Answer> {
  tokens.push(token);
  const answer = await post(gateway, { query }, bearer(token));
  answers.push(answer);
  return answer;
}

describe("a valid JWT", () => {
  it.each([
    ["scope", { scope: "openid gateway:write" }],
    ["scp as a string", { scp: "gateway:write profile" }],
    ["scp as a list", { scp: ["profile", "gateway:write"] }],
  ])("with the write scope in %s runs queries and mutations", async (_where, claims) => {
    const token = await idp.sign(claims);
    expect((await send(COUNT_COMPANIES, token)).json.data.companies.totalCount).toBeGreaterThan(0);
    const created = await send(CREATE_COMPANY, token);
    expect(created.status).toBe(200);
    expect(created.json.data.createCompany.__typename).toBe("CreateCompanySuccess");
  });

  it.each([
    ["no scope", {}],
    ["other scopes", { scope: "openid gateway:read" }],
    ["a scope that only contains it", { scope: "gateway:write-not" }],
  ])("with %s runs queries, and is refused mutations with 403", async (_what, claims) => {
    const token = await idp.sign(claims);
    expect((await send(COUNT_COMPANIES, token)).status).toBe(200);
    const refused = await send(CREATE_COMPANY, token);
    expect(refused.status).toBe(403);
    expect(refused.json.errors).toEqual([{ message: expect.any(String), extensions: { code: "FORBIDDEN" } }]);
  });

  it("leaves API keys working beside it", async () => {
    expect((await post(gateway, { query: CREATE_COMPANY }, bearer(FULL_KEY))).status).toBe(200);
  });
});

describe("a JWT that is not valid for this gateway", () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each<[string, () => Promise<string>]>([
    ["expired", () => idp.sign({ scope: "gateway:write", iat: now() - 600, exp: now() - 300 })],
    ["not valid yet", () => idp.sign({ scope: "gateway:write", nbf: now() + 300 })],
    ["from another issuer", () => idp.sign({ scope: "gateway:write", iss: "https://evil.test/" })],
    ["for another audience", () => idp.sign({ scope: "gateway:write", aud: "another-api" })],
    ["signed by a foreign key under the published key's id", () => idp.sign({}, { key: "foreign" })],
    ["signed by a foreign key under an unknown key id", () => idp.sign({}, { key: "foreign", kid: "k2" })],
    ["unsigned (alg none)", async () => unsigned({ iss: idp.issuer, aud: idp.audience, exp: now() + 300 })],
    [
      "tampered with (scope added after signing)",
      async () => withClaims(await idp.sign(), { scope: "gateway:write" }),
    ],
  ])("is refused with 401 when %s", async (_what, token) => {
    const answer = await send(CREATE_COMPANY, await token());
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
    expect(answer.json).toEqual({
      errors: [{ message: expect.any(String), extensions: { code: "UNAUTHENTICATED" } }],
    });
  });
});

describe("an unreachable JWKS", () => {
  let down: Gateway;
  const errors: unknown[] = [];
  beforeAll(async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    down = await openConfiguredGateway(
      { ...jwtEnv(idp), JWT_JWKS_URL: `http://127.0.0.1:${port}/jwks.json`, GATEWAY_API_KEYS: FULL_KEY },
      { logError: (error) => errors.push(error) },
    );
  });
  afterAll(() => down.close());

  it("answers 401 to a JWT, logs why, and keeps serving", async () => {
    const token = await idp.sign({ scope: "gateway:write" });
    tokens.push(token);
    for (let attempt = 0; attempt < 2; attempt++) {
      const answer = await post(down, { query: COUNT_COMPANIES }, bearer(token));
      answers.push(answer);
      expect(answer.status).toBe(401);
      expect(answer.json.errors[0].extensions).toEqual({ code: "UNAUTHENTICATED" });
    }
    expect(errors.length).toBeGreaterThan(0);
    logged.push(errors);
    expect((await get(down, "/health")).status).toBe(200);
    expect((await post(down, { query: COUNT_COMPANIES }, bearer(FULL_KEY))).status).toBe(200);
  });
});

it("fetches the JWKS once for many tokens, not once per request", () => {
  expect(idp.jwksRequests()).toBeGreaterThan(0);
  // One fetch for the published key id, and one for each unknown id tried (at most a few a minute).
  expect(idp.jwksRequests()).toBeLessThanOrEqual(3);
});

afterAll(() => {
  expect(tokens.length).toBeGreaterThan(10);
  const seen = [
    ...answers.map((answer) => `${answer.text} ${JSON.stringify([...answer.headers])}`),
    ...logged
      .flat()
      .map((entry) => (entry instanceof Error ? `${entry.message} ${entry.stack}` : String(entry))),
  ].join("\n");
  // The signature is what makes a JWT a credential; its header and payload are readable by whoever holds it.
  for (const signature of tokens.map((token) => token.split(".")[2]).filter(Boolean)) {
    expect(seen).not.toContain(signature);
  }
});

/** A token with `alg: none` and no signature, which a verifier must never accept. */
function unsigned(claims: Record<string, unknown>): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part(claims)}.`;
}

/** `token` with `claims` merged into its payload, its signature kept. */
function withClaims(token: string, claims: Record<string, unknown>): string {
  const [header, payload, signature] = token.split(".");
  const merged = { ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), ...claims };
  return `${header}.${Buffer.from(JSON.stringify(merged)).toString("base64url")}.${signature}`;
}

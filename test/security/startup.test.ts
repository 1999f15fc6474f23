import { spawn } from "node:child_process";
import { once } from "node:events";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { isLoopbackHost } from "../../src/security/loopback.ts";
import { refusal } from "../support/config.ts";
import { FULL_KEY, openConfiguredGateway, READ_KEY } from "./support.ts";

const JWT = {
  JWT_JWKS_URL: "https://idp.example/.well-known/jwks.json",
  JWT_ISSUER: "https://idp.example/",
  JWT_AUDIENCE: "contacts-gateway",
};
const EVERY_AUTH_VARIABLE = [
  "GATEWAY_API_KEYS",
  "GATEWAY_READ_KEYS",
  "JWT_JWKS_URL",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "ALLOW_UNAUTHENTICATED",
];

describe("without authentication", () => {
  it.each(["0.0.0.0", "::", "192.168.1.20", "gateway.internal", "[::ffff:10.0.0.1]"])(
    "refuses HOST=%s, naming the variables that would authenticate",
    (host) => {
      const { message } = refusal({ HOST: host });
      expect(message).toContain(`HOST=${host}`);
      for (const name of EVERY_AUTH_VARIABLE) expect(message).toContain(name);
    },
  );

  it("refuses NODE_ENV=production, even on loopback", () => {
    const { message } = refusal({ NODE_ENV: "production" });
    expect(message).toContain("NODE_ENV=production");
    for (const name of EVERY_AUTH_VARIABLE) expect(message).toContain(name);
  });

  it.each(["127.0.0.1", "127.8.9.10", "localhost", "LOCALHOST", "::1", "[::1]"])(
    "serves on loopback (HOST=%s) in development and tests",
    (host) => {
      expect(loadConfig({ HOST: host }).auth).toEqual({
        apiKeys: [],
        readKeys: [],
        jwt: null,
        allowUnauthenticated: false,
      });
      expect(loadConfig({ HOST: host, NODE_ENV: "test" }).environment).toBe("test");
    },
  );

  it("starts exposed when ALLOW_UNAUTHENTICATED=true, and warns at start-up", async () => {
    const warnings: string[] = [];
    const gateway = await openConfiguredGateway(
      { HOST: "0.0.0.0", NODE_ENV: "production", ALLOW_UNAUTHENTICATED: "true" },
      { warn: (message) => warnings.push(message) },
    );
    try {
      expect(warnings).toEqual([expect.stringContaining("ALLOW_UNAUTHENTICATED=true")]);
    } finally {
      await gateway.close();
    }
  });

  it("does not warn when authentication is configured", async () => {
    const warnings: string[] = [];
    const gateway = await openConfiguredGateway(
      { HOST: "0.0.0.0", GATEWAY_API_KEYS: FULL_KEY },
      { warn: (message) => warnings.push(message) },
    );
    await gateway.close();
    expect(warnings).toEqual([]);
  });

  it("stops the process with the message, exit code 1", async () => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "0.0.0.0", STORE_URL: ":memory:" },
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const [code] = await once(child, "exit");
    expect(code).toBe(1);
    expect(output).toContain("GATEWAY_API_KEYS");
    expect(output).not.toContain("Contacts gateway on");
  });
});

describe("each way to authenticate is enough", () => {
  it.each([
    ["full keys", { GATEWAY_API_KEYS: FULL_KEY }],
    ["read keys", { GATEWAY_READ_KEYS: READ_KEY }],
    ["JWTs", JWT],
  ])("%s, on any host in production", (_what, env) => {
    expect(() => loadConfig({ HOST: "0.0.0.0", NODE_ENV: "production", ...env })).not.toThrow();
  });

  it("reads keys comma-separated and the JWT variables, with the write scope by default", () => {
    const other = "another-key-0123456789abcdef0123456789";
    const config = loadConfig({
      GATEWAY_API_KEYS: ` ${FULL_KEY} ,${other},`,
      GATEWAY_READ_KEYS: READ_KEY,
      ...JWT,
    });
    expect(config.auth).toEqual({
      apiKeys: [FULL_KEY, other],
      readKeys: [READ_KEY],
      jwt: {
        jwksUrl: JWT.JWT_JWKS_URL,
        issuer: JWT.JWT_ISSUER,
        audience: JWT.JWT_AUDIENCE,
        writeScope: "gateway:write",
      },
      allowUnauthenticated: false,
    });
    expect(loadConfig({ ...JWT, JWT_WRITE_SCOPE: "contacts.write" }).auth.jwt?.writeScope).toBe(
      "contacts.write",
    );
  });
});

describe("authentication variables", () => {
  it.each([
    ["GATEWAY_API_KEYS", { GATEWAY_API_KEYS: "short-secret-key" }],
    ["GATEWAY_READ_KEYS", { GATEWAY_READ_KEYS: `${READ_KEY},short-secret-key` }],
    ["GATEWAY_API_KEYS", { GATEWAY_API_KEYS: "a key with spaces in it, which is long enough" }],
    ["GATEWAY_READ_KEYS", { GATEWAY_API_KEYS: FULL_KEY, GATEWAY_READ_KEYS: FULL_KEY }],
  ])("refuses a weak or ambiguous key, naming %s and never the key", (name, env) => {
    const { message } = refusal(env);
    expect(message).toContain(name);
    for (const key of Object.values(env).flatMap((value) => value.split(","))) {
      expect(message).not.toContain(key);
    }
  });

  it.each([
    ["JWT_ISSUER", { JWT_JWKS_URL: JWT.JWT_JWKS_URL, JWT_AUDIENCE: JWT.JWT_AUDIENCE }],
    ["JWT_JWKS_URL", { JWT_ISSUER: JWT.JWT_ISSUER, JWT_AUDIENCE: JWT.JWT_AUDIENCE }],
    ["JWT_JWKS_URL", { ...JWT, JWT_JWKS_URL: "http://idp.example/jwks.json" }],
    ["JWT_JWKS_URL", { ...JWT, JWT_JWKS_URL: "not a url" }],
    ["JWT_WRITE_SCOPE", { ...JWT, JWT_WRITE_SCOPE: "gateway:write gateway:admin" }],
    ["ALLOW_UNAUTHENTICATED", { ALLOW_UNAUTHENTICATED: "yes" }],
  ])("refuses a bad JWT or flag setting, naming %s", (name, env) => {
    expect(refusal(env).message).toContain(name);
  });

  it("takes a JWKS over http on loopback (a local identity provider)", () => {
    const config = loadConfig({ ...JWT, JWT_JWKS_URL: "http://127.0.0.1:8080/jwks.json" });
    expect(config.auth.jwt?.jwksUrl).toBe("http://127.0.0.1:8080/jwks.json");
  });
});

describe("NODE_ENV", () => {
  it.each(["staging", "prod", "Production", "dev"])("refuses %s, naming the accepted values", (value) => {
    const { message } = refusal({ NODE_ENV: value });
    expect(message).toContain("NODE_ENV");
    for (const accepted of ["development", "production", "test"]) expect(message).toContain(accepted);
  });
});

describe("isLoopbackHost", () => {
  it("knows 127.0.0.0/8, ::1 and localhost, and nothing else", () => {
    for (const host of ["127.0.0.1", "127.255.255.254", "::1", "[::1]", "localhost", " Localhost "]) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ["0.0.0.0", "::", "128.0.0.1", "127.0.0.1.example", "localhost.example", "10.0.0.1"]) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });
});

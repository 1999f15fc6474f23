import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { openGateway } from "../support/gateway.ts";
import { quietLogger } from "../support/logging.ts";

/**
 * CORS answers the configured origins with exactly themselves and every other origin (`null`
 * included) with nothing; JSON bodies are recognised by their media type as HTTP compares it.
 */

const APP = "https://app.example";
const ADMIN = "https://admin.example";

const preflight = (gateway: Gateway, origin: string) =>
  gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "OPTIONS",
    headers: {
      origin,
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    },
  });

const post = (gateway: Gateway, origin: string) =>
  gateway.yoga.fetch("http://gateway.test/graphql", {
    method: "POST",
    headers: { origin, "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: "{ providers { healthy } }" }),
  });

const corsHeaders = (response: Response) =>
  [...response.headers.keys()].filter((name) => name.startsWith("access-control-"));

describe.each([
  ["one CORS origin", [APP]],
  ["two CORS origins", [APP, ADMIN]],
])("with %s", (_what, origins) => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await createGateway({
      logger: quietLogger,
      config: loadConfig({ STORE_URL: ":memory:", CORS_ORIGINS: origins.join(",") }),
    });
  });
  afterAll(() => gateway.close());

  it.each(origins)(
    "allows %s exactly, on its preflight and its requests, varying by Origin",
    async (origin) => {
      for (const response of [await preflight(gateway, origin), await post(gateway, origin)]) {
        expect(response.headers.get("access-control-allow-origin")).toBe(origin);
        expect(response.headers.get("vary")).toMatch(/\bOrigin\b/);
        expect(response.headers.get("access-control-allow-credentials")).toBeNull();
      }
      expect((await preflight(gateway, origin)).headers.get("access-control-allow-methods")).toBe("POST");
    },
  );

  it.each(["https://evil.example", "null", `${APP}.evil.example`, "http://app.example"])(
    "gives %s no CORS header at all, on its preflight and its requests",
    async (origin) => {
      const allowedPreflight = await preflight(gateway, origin);
      expect(corsHeaders(allowedPreflight)).toEqual([]);
      const response = await post(gateway, origin);
      expect(corsHeaders(response)).toEqual([]);
      // The answer still depends on the Origin: a cache must not hand it to a listed origin.
      expect(response.headers.get("vary")).toMatch(/\bOrigin\b/);
    },
  );
});

describe("without CORS origins", () => {
  it("no origin gets a CORS header", async () => {
    const gateway = await openGateway();
    try {
      for (const origin of [APP, "null"]) {
        expect(corsHeaders(await preflight(gateway, origin))).toEqual([]);
        expect(corsHeaders(await post(gateway, origin))).toEqual([]);
      }
    } finally {
      await gateway.close();
    }
  });
});

describe("CORS_ORIGINS", () => {
  it.each(["*", "null", "app.example", "https://app.example/", "https://app.example/graphql"])(
    "refuses %s: only exact origins",
    (value) => {
      expect(() => loadConfig({ CORS_ORIGINS: `${APP},${value}` })).toThrow(ConfigError);
      expect(() => loadConfig({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
    },
  );
});

describe("media types", () => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await openGateway();
  });
  afterAll(() => gateway.close());

  it.each(["APPLICATION/JSON; charset=utf-8", "application/json;charset=UTF-8", "Application/GraphQL+JSON"])(
    "runs a POST sent as %s",
    async (type) => {
      const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": type, accept: "application/json" },
        body: JSON.stringify({ query: "{ providers { healthy } }" }),
      });
      expect(response.status).toBe(200);
      expect((await response.json()).data.providers).toHaveLength(3);
    },
  );

  it.each(["text/plain; charset=utf-8", "application/jsonp", "multipart/form-data; boundary=x"])(
    "refuses a POST sent as %s with 415",
    async (type) => {
      const response = await gateway.yoga.fetch("http://gateway.test/graphql", {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify({ query: "{ providers { healthy } }" }),
      });
      expect(response.status).toBe(415);
      expect((await response.json()).errors[0].extensions.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    },
  );
});

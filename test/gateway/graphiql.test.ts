import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createGateway, type Gateway } from "../../src/gateway.ts";
import { GRAPHIQL_EXAMPLE_QUERY } from "../../src/graphiql-example.ts";
import { loadGraphiQLRenderer, negotiateEncoding, useGraphiQLPage } from "../../src/graphiql-page.ts";
import { quietLogger } from "../support/logging.ts";

/** GraphiQL's page: compressed, revalidated by ETag, and its 9 MB bundle imported on first use only. */

// Counts the bundle's imports: the module is evaluated (and this factory run) once, when first imported.
const bundleImports = vi.hoisted(() => ({ count: 0 }));
vi.mock("@graphql-yoga/render-graphiql", async (importOriginal) => {
  bundleImports.count++;
  return importOriginal();
});

const gateways: Gateway[] = [];
afterAll(async () => {
  await Promise.all(gateways.map((gateway) => gateway.close()));
});

async function openGateway(env: Record<string, string> = {}): Promise<Gateway> {
  const gateway = await createGateway({
    config: loadConfig({ STORE_URL: ":memory:", ...env }),
    logger: quietLogger,
  });
  gateways.push(gateway);
  return gateway;
}

function getPage(gateway: Gateway, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    gateway.yoga.fetch("http://gateway.test/graphql", { headers: { accept: "text/html", ...headers } }),
  );
}

async function bodyBytes(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

// In file order: the bundle's import is counted once per file, so the tests that expect none come first.
describe("the GraphiQL bundle", () => {
  it("is not imported by a gateway with GRAPHIQL=false, even when a browser asks for the page", async () => {
    const gateway = await openGateway({ GRAPHIQL: "false" });
    const response = await getPage(gateway);
    expect(response.headers.get("content-type") ?? "").not.toMatch(/html/);
    expect(bundleImports.count).toBe(0);
  });

  it("is imported on the page's first request, not when the gateway starts or answers queries", async () => {
    const gateway = await openGateway();
    const query = await gateway.yoga.fetch("http://gateway.test/graphql", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ __typename }" }),
    });
    expect(query.status).toBe(200);
    expect((await gateway.yoga.fetch("http://gateway.test/health")).status).toBe(200);
    expect(bundleImports.count).toBe(0);

    expect((await getPage(gateway)).status).toBe(200);
    expect(bundleImports.count).toBe(1);
  });

  it("is loaded once, and the page rendered once, however many requests arrive at the start", async () => {
    const renderGraphiQL = vi.fn(await loadGraphiQLRenderer());
    const loadRenderer = vi.fn(async () => renderGraphiQL);
    const plugin = useGraphiQLPage({ endpoint: "/graphql", options: { title: "t" }, loadRenderer });
    expect(loadRenderer).not.toHaveBeenCalled();
    const endResponse = vi.fn();
    const request = new Request("http://gateway.test/graphql", {
      headers: { accept: "text/html", "accept-encoding": "gzip" },
    });
    await Promise.all(
      Array.from({ length: 5 }, () =>
        // biome-ignore lint/suspicious/noExplicitAny: the hook's payload, reduced to what this plugin reads
        (plugin.onRequest as any)({ request, url: new URL(request.url), endResponse, fetchAPI: globalThis }),
      ),
    );
    expect(endResponse).toHaveBeenCalledTimes(5);
    expect(loadRenderer).toHaveBeenCalledTimes(1);
    expect(renderGraphiQL).toHaveBeenCalledTimes(1);
  });
});

describe("GraphiQL's page", () => {
  let gateway: Gateway;
  let page: Buffer;
  beforeAll(async () => {
    gateway = await openGateway();
    page = await bodyBytes(await getPage(gateway));
  });

  it("is the page with the gateway's title and example query, uncompressed without Accept-Encoding", async () => {
    const response = await getPage(gateway);
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = page.toString("utf8");
    expect(html).toContain("<title>Contacts gateway</title>");
    expect(html).toContain(JSON.stringify(GRAPHIQL_EXAMPLE_QUERY).slice(1, -1));
  });

  it.each([
    ["br", "br", brotliDecompressSync],
    ["gzip", "gzip", gunzipSync],
    ["gzip, deflate, br, zstd", "br", brotliDecompressSync],
    ["br;q=0.5, gzip", "gzip", gunzipSync],
  ])("with Accept-Encoding: %s is sent as %s, and decodes to the page", async (accept, encoding, decode) => {
    const response = await getPage(gateway, { "accept-encoding": accept });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-encoding")).toBe(encoding);
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    const body = await bodyBytes(response);
    expect(body.length).toBeLessThan(page.length / 3);
    expect(decode(body).equals(page)).toBe(true);
  });

  it("has a strong ETag per encoding, and answers If-None-Match with a 304 that keeps the validators", async () => {
    const identity = await getPage(gateway);
    const gzip = await getPage(gateway, { "accept-encoding": "gzip" });
    const etag = identity.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    expect(gzip.headers.get("etag")).toBe(`${etag.slice(0, -1)}-gzip"`);
    expect(identity.headers.get("cache-control")).toBe("no-cache");

    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const revalidated = await getPage(gateway, { "if-none-match": ifNoneMatch });
      expect(revalidated.status).toBe(304);
      expect(await revalidated.text()).toBe("");
      expect(revalidated.headers.get("etag")).toBe(etag);
      expect(revalidated.headers.get("cache-control")).toBe("no-cache");
      expect(revalidated.headers.get("vary")).toBe("Accept-Encoding");
    }
    // The uncompressed page's ETag does not validate the gzipped one: they are different bytes.
    const otherEncoding = await getPage(gateway, { "accept-encoding": "gzip", "if-none-match": etag });
    expect(otherEncoding.status).toBe(200);
  });
});

describe("negotiateEncoding", () => {
  it.each([
    [null, "identity"],
    ["", "identity"],
    ["identity", "identity"],
    ["deflate", "identity"],
    ["br", "br"],
    ["GZIP", "gzip"],
    ["gzip, br", "br"],
    ["gzip;q=1.0, br;q=0.8", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["br;q=0, gzip;q=0", "identity"],
    ["*", "br"],
    ["br;q=0, *", "gzip"],
    ["br;q=oops", "identity"],
  ])("%s → %s", (header, encoding) => {
    expect(negotiateEncoding(header)).toBe(encoding);
  });
});

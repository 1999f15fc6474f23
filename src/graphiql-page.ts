import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import { type GraphiQLOptions, type Plugin, shouldRenderGraphiQL } from "graphql-yoga";

type Encoding = "br" | "gzip" | "identity";

type RenderGraphiQL = (options: GraphiQLOptions) => string;

/**
 * GraphiQL's bundle, with its JavaScript, CSS and editor workers inlined (~9 MB, ~57 MB of RSS once
 * loaded): imported on the page's first request, so a gateway nobody opens GraphiQL on never loads it.
 */
export async function loadGraphiQLRenderer(): Promise<RenderGraphiQL> {
  return (await import("@graphql-yoga/render-graphiql")).renderGraphiQL;
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);

/**
 * Each encoding is made once, on the thread pool. Brotli quality 6 is 1.9 MB in about a second;
 * quality 11 saves another 10% but takes half a minute of CPU (docs/production.md § GraphiQL).
 */
const ENCODERS: Record<Encoding, (page: Buffer) => Promise<Buffer>> = {
  br: (page) =>
    brotli(page, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 6,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: page.length,
      },
    }),
  gzip: (page) => gzipped(page),
  identity: async (page) => page,
};

/** The encodings offered, best first: a client that accepts several equally gets the smallest. */
const OFFERED: readonly Encoding[] = ["br", "gzip"];

export interface GraphiQLPageOptions {
  /** The GraphQL endpoint, where a browser's GET gets the page (as yoga's own GraphiQL does). */
  endpoint: string;
  options: GraphiQLOptions;
  loadRenderer?: () => Promise<RenderGraphiQL>;
}

/**
 * Serves GraphiQL's page in place of yoga's GraphiQL (which renders and sends all 9 MB uncompressed
 * on every request): rendered once, compressed once per encoding, negotiated on Accept-Encoding,
 * with a strong ETag from the page's hash so a reload is a 304. `no-cache` lets the browser keep the
 * page but makes it ask first, so a new gateway's page is never served stale.
 */
export function useGraphiQLPage({
  endpoint,
  options,
  loadRenderer = loadGraphiQLRenderer,
}: GraphiQLPageOptions): Plugin {
  let rendered: Promise<{ page: Buffer; hash: string }> | undefined;
  const render = () => {
    rendered ??= loadRenderer().then((renderGraphiQL) => {
      const page = Buffer.from(renderGraphiQL(options));
      return { page, hash: createHash("sha256").update(page).digest("base64url") };
    });
    return rendered;
  };
  const bodies = new Map<Encoding, Promise<Buffer>>();
  const bodyOf = (encoding: Encoding) => {
    let body = bodies.get(encoding);
    if (!body) {
      body = render().then(({ page }) => ENCODERS[encoding](page));
      bodies.set(encoding, body);
    }
    return body;
  };

  return {
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!shouldRenderGraphiQL(request)) return;
      if (url.pathname !== endpoint && url.pathname !== `${endpoint}/`) return;
      const encoding = negotiateEncoding(request.headers.get("accept-encoding"));
      // Each encoding is its own representation, so each has its own strong ETag.
      const { hash } = await render();
      const etag = encoding === "identity" ? `"${hash}"` : `"${hash}-${encoding}"`;
      const headers: Record<string, string> = { "cache-control": "no-cache", etag, vary: "Accept-Encoding" };
      if (matchesETag(request.headers.get("if-none-match"), etag)) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      headers["content-type"] = "text/html; charset=utf-8";
      if (encoding !== "identity") headers["content-encoding"] = encoding;
      // Node's Buffers here are never backed by a SharedArrayBuffer, which is all BodyInit's type excludes.
      const body = (await bodyOf(encoding)) as Uint8Array<ArrayBuffer>;
      endResponse(new fetchAPI.Response(body, { status: 200, headers }));
    },
  };
}

/** The offered encoding with the highest q-value in `accept-encoding` (RFC 9110 § 12.5.3), else none. */
export function negotiateEncoding(acceptEncoding: string | null): Encoding {
  const weights = new Map<string, number>();
  for (const item of (acceptEncoding ?? "").split(",")) {
    const [coding = "", ...parameters] = item.split(";").map((part) => part.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith("q="));
    if (coding) weights.set(coding, q === undefined ? 1 : Number(q.slice(2)));
  }
  const weightOf = (coding: string) => weights.get(coding) ?? weights.get("*") ?? 0;
  let best: Encoding = "identity";
  for (const coding of OFFERED) {
    // A malformed q is NaN, which is never > 0: that coding is not taken.
    if (weightOf(coding) > 0 && (best === "identity" || weightOf(coding) > weightOf(best))) best = coding;
  }
  return best;
}

/** If-None-Match compares weakly (RFC 9110 § 13.1.2): `W/"x"` matches `"x"`, and `*` matches any. */
function matchesETag(ifNoneMatch: string | null, etag: string): boolean {
  if (!ifNoneMatch) return false;
  return ifNoneMatch
    .split(",")
    .map((tag) => tag.trim().replace(/^W\//, ""))
    .some((tag) => tag === "*" || tag === etag);
}

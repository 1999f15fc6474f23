import type { Plugin, YogaServerOptions } from "graphql-yoga";

type CorsOption = YogaServerOptions<Record<string, unknown>, Record<string, unknown>>["cors"];

/**
 * CORS for the configured origins, and only them. Yoga's own list handling answers an origin
 * missing from a list of two or more with `Access-Control-Allow-Origin: null`, which is what a
 * sandboxed iframe or a `file:` page sends as its Origin: they would be allowed. Here a listed
 * origin gets exactly itself; any other, `null` included, gets no CORS header at all (its
 * preflight too), and a browser keeps it out. No origins configured: no CORS at all.
 */
export function corsForOrigins(origins: readonly string[]): CorsOption {
  if (origins.length === 0) return false;
  const allowed = new Set(origins);
  return (request: Request) => {
    const origin = request.headers.get("origin");
    return origin !== null && allowed.has(origin) ? { origin, credentials: false } : false;
  };
}

/**
 * With origins configured every answer depends on the request's Origin (its CORS headers or their
 * absence), so shared caches must keep the answers apart: `Vary: Origin`, on every answer.
 */
export function useVaryOnOrigin(origins: readonly string[]): Plugin {
  return {
    onResponse({ response }) {
      if (origins.length > 0) response.headers.append("vary", "Origin");
    },
  };
}

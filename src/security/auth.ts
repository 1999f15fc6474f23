import { createHash, timingSafeEqual } from "node:crypto";
import {
  createRemoteJwksSigningKeyProvider,
  type JWTExtendContextFields,
  useJWT,
} from "@graphql-yoga/plugin-jwt";
import { getOperationAST } from "graphql";
import { createGraphQLError, type GraphiQLOptions, type Plugin } from "graphql-yoga";
import type { AuthConfig, JwtConfig } from "../config.ts";
import { type GatewayContext, UNAUTHENTICATED_VIEWER, type Viewer } from "../context.ts";

/**
 * Who may call the gateway: servers with an API key, frontends with a JWT from the team's identity
 * provider, both sent as `Authorization: Bearer <credential>`.
 *
 * A missing or bad credential is answered 401 in `onRequestParse`, the last hook before yoga reads
 * the body: nothing of an unauthenticated request is parsed, so a broken document is still a 401
 * and a stranger learns nothing from validation errors. Only GraphQL requests get that far:
 * /health, /ready, /metrics (behind its own token) and GraphiQL's page are answered in `onRequest`, and so stay open. Whether a read-only credential may run the
 * request can only be told once the document is parsed (its operation, picked by `operationName`),
 * so that 403 comes in `onExecute`, before any resolver, and so before any store or upstream call.
 */
export interface Authentication {
  /** Empty when no authentication is configured: every request is then the unauthenticated viewer. */
  plugin: Plugin<GatewayContext>;
  viewerOf(request: Request): Viewer;
  /** GraphiQL sends no credential of its own: open its headers editor with the header to fill in. */
  graphiql: Pick<GraphiQLOptions, "headers" | "defaultHeaders" | "defaultEditorToolsVisibility">;
}

const FULL_KEY: Viewer = Object.freeze({ kind: "api-key", canWrite: true });
const READ_KEY: Viewer = Object.freeze({ kind: "api-key", canWrite: false });

/** Asymmetric only: were HMAC allowed, a token "signed" with the public key as its secret would verify. */
const JWT_ALGORITHMS = [
  "RS256",
  "RS384",
  "RS512",
  "PS256",
  "PS384",
  "PS512",
  "ES256",
  "ES384",
  "ES512",
] as const;
/** A JWKS endpoint that hangs holds every JWT request that needs a key not cached yet. */
const JWKS_TIMEOUT_MS = 5_000;

export function createAuthentication(auth: AuthConfig, warn: (message: string) => void): Authentication {
  const keys = [
    ...auth.apiKeys.map((secret) => ({ secret, viewer: FULL_KEY })),
    ...auth.readKeys.map((secret) => ({ secret, viewer: READ_KEY })),
  ];
  const jwt = auth.jwt ? createJwtVerifier(auth.jwt) : null;
  if (keys.length === 0 && !jwt) {
    if (auth.allowUnauthenticated) {
      warn(
        "ALLOW_UNAUTHENTICATED=true and no authentication configured: anyone who can reach the gateway can read and write through its upstream credentials",
      );
    }
    return { plugin: {}, viewerOf: () => UNAUTHENTICATED_VIEWER, graphiql: {} };
  }

  // Compares against every key, without stopping at a match, so the time taken says nothing of which.
  const keyViewer = (credential: string): Viewer | null => {
    let viewer: Viewer | null = null;
    for (const key of keys) if (secretsEqual(credential, key.secret) && !viewer) viewer = key.viewer;
    return viewer;
  };
  const viewers = new WeakMap<Request, Viewer>();
  const headerTemplate = JSON.stringify({ Authorization: "Bearer " }, null, 2);

  return {
    viewerOf(request) {
      const viewer = viewers.get(request);
      // Every GraphQL request passes onRequestParse first; one that did not must not run as anyone.
      if (!viewer) throw new Error("a GraphQL request reached its context unauthenticated");
      return viewer;
    },
    graphiql: {
      headers: headerTemplate,
      defaultHeaders: headerTemplate,
      defaultEditorToolsVisibility: "headers",
    },
    plugin: {
      onYogaInit(payload) {
        jwt?.onYogaInit(payload);
      },
      async onRequestParse(payload) {
        const { request, endResponse, fetchAPI } = payload;
        const credential = bearerCredential(request);
        if (!credential) {
          endResponse(
            unauthenticated(
              fetchAPI,
              'Bearer realm="contacts-gateway"',
              "Authentication required: send Authorization: Bearer <API key or JWT>",
            ),
          );
          return;
        }
        const viewer = keyViewer(credential) ?? (await jwt?.verify(payload)) ?? null;
        if (!viewer) {
          endResponse(
            unauthenticated(
              fetchAPI,
              'Bearer realm="contacts-gateway", error="invalid_token"',
              "Invalid credentials: not a gateway API key, nor a valid JWT for this gateway",
            ),
          );
          return;
        }
        viewers.set(request, viewer);
      },
      onExecute({ args, setResultAndStopExecution }) {
        if ((args.contextValue as GatewayContext).viewer.canWrite) return;
        if (getOperationAST(args.document, args.operationName)?.operation !== "mutation") return;
        setResultAndStopExecution({
          errors: [
            // yoga's own error class, so that yoga knows `http` for its own and keeps it out of the body.
            createGraphQLError("This credential may run queries only, not mutations", {
              extensions: { code: "FORBIDDEN", http: { status: 403 } },
            }),
          ],
        });
      },
    },
  };
}

/**
 * Whether two secrets are equal, in a time that depends on neither: both are hashed to digests
 * of one fixed length first, so even their lengths are not compared.
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digestOf(given), digestOf(expected));
}

function digestOf(secret: string): Buffer {
  return createHash("sha256").update(secret).digest();
}

/** The credential of `Authorization: Bearer <credential>`; the scheme is case-insensitive (RFC 9110 §11.1). */
export function bearerCredential(request: Request): string | null {
  return /^Bearer +(\S+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
}

/**
 * Verifies JWTs with yoga's JWT plugin: its signing keys come from the JWKS URL (cached, and
 * fetched at most a few times a minute, so tokens with made-up key ids cannot flood the identity
 * provider), its claims are checked against issuer and audience. The plugin is driven from this
 * module's hook rather than installed, so that every way a token can fail (expired, foreign key,
 * JWKS unreachable) becomes the same 401, and the token stays out of the GraphQL context.
 */
function createJwtVerifier(config: JwtConfig) {
  const plugin = useJWT({
    signingKeyProviders: [
      createRemoteJwksSigningKeyProvider({
        jwksUri: config.jwksUrl,
        cache: true,
        rateLimit: true,
        jwksRequestsPerMinute: 10,
        timeout: JWKS_TIMEOUT_MS,
      }),
    ],
    tokenLookupLocations: [
      ({ request }) => {
        const token = bearerCredential(request);
        return token ? { token, prefix: "Bearer" } : undefined;
      },
    ],
    tokenVerification: { algorithms: [...JWT_ALGORITHMS], issuer: config.issuer, audience: config.audience },
    reject: { missingToken: true, invalidToken: true },
  });
  type Hooks = Required<Plugin<GatewayContext>>;
  type JwtServerContext = Parameters<NonNullable<typeof plugin.onRequestParse>>[0]["serverContext"];
  return {
    onYogaInit: (payload: Parameters<Hooks["onYogaInit"]>[0]) => plugin.onYogaInit?.(payload),
    /** The viewer of the request's bearer JWT; null for any failure, which the plugin has logged. */
    async verify(payload: Parameters<Hooks["onRequestParse"]>[0]): Promise<Viewer | null> {
      // The plugin puts what it verified on the server context it is given: a fresh one, read here.
      const verified: JwtServerContext & { jwt?: JWTExtendContextFields } = {
        waitUntil: (promise) => payload.serverContext.waitUntil(promise),
      };
      try {
        await plugin.onRequestParse?.({ ...payload, serverContext: verified });
      } catch {
        return null;
      }
      if (!verified.jwt) return null;
      return { kind: "jwt", canWrite: scopesOf(verified.jwt.payload).includes(config.writeScope) };
    },
  };
}

/** The token's scopes: OAuth's space-separated `scope`, or `scp` as a string or a list (Entra ID, Okta). */
function scopesOf(claims: JWTExtendContextFields["payload"]): string[] {
  const claim: unknown = claims.scope ?? claims.scp;
  if (typeof claim === "string") return claim.split(" ");
  return Array.isArray(claim) ? claim.filter((scope): scope is string => typeof scope === "string") : [];
}

function unauthenticated(
  fetchAPI: { Response: typeof Response },
  challenge: string,
  message: string,
): Response {
  return new fetchAPI.Response(
    JSON.stringify({ errors: [{ message, extensions: { code: "UNAUTHENTICATED" } }] }),
    { status: 401, headers: { "content-type": "application/json", "www-authenticate": challenge } },
  );
}

import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen } from "cockatiel";
import type { Redis } from "ioredis";
import { type Dispatcher, Pool } from "undici";
import type { Provider } from "../domain/common.ts";
import { UpstreamError } from "../errors.ts";
import { credentialsOf, pathTemplate, redactSecrets, truncate } from "../security/redaction.ts";
import { integerHeader } from "./headers.ts";
import { type BudgetStatus, createRateBudget, type RateWindow } from "./rate-budget.ts";
import { activeScope, currentScope, type RequestScope } from "./request-scope.ts";
import {
  callName,
  type HttpMethod,
  oversizedBody,
  statusError,
  transportError,
  type UpstreamResponse,
} from "./responses.ts";
import { exhaustedForSeconds } from "./retry-after.ts";

/**
 * The upstream HTTP machinery the three REST adapters share. Before a request is sent it spends
 * the provider's rate budget (waiting while the wait fits the request's deadline) and passes the
 * provider's circuit breaker; identical GETs in flight share one call; reads and idempotent writes
 * are retried on 429 with a short pause, 502/503/504 and connection errors; bodies are read up to
 * a size cap. Transport failures and the statuses that mean the same everywhere (401, 403, 429,
 * 5xx) become `UpstreamError`s (see responses.ts); the others are returned for the provider client.
 */

export type { HttpMethod, UpstreamResponse } from "./responses.ts";
export type QueryValue = string | number | boolean | null | undefined;

export interface UpstreamRequest {
  method: HttpMethod;
  /** Path below the origin, starting with "/". */
  path: string;
  query?: Record<string, QueryValue>;
  /** Serialised as JSON (or sent as is when a string). */
  body?: unknown;
  headers?: Record<string, string>;
  /** A POST that changes nothing (Moneybird's `POST /contacts/synchronization` is a read): retried like a GET. */
  idempotent?: boolean;
  /** How client messages name the call ("contact list read"), never by its path (see `SentRequest.what`). */
  what?: string;
}

/** What tests (request counts) and metrics see of every upstream call. */
export interface UpstreamRequestEvent {
  provider: Provider;
  method: HttpMethod;
  /** Path and query string, never headers (they carry credentials). */
  url: string;
  status: number | null;
  durationMs: number;
  errorCode: UpstreamError["code"] | null;
  /** 0 for the first attempt, 1 for the first retry, … */
  attempt: number;
  /** For an attempt that failed or was refused (any status from 400 but 404): what the log needs. */
  failure: UpstreamFailureDetail | null;
}

/**
 * What an operator needs to see of a failed call, and a client must not (its message names the
 * provider and the call only): every credential the request carried is redacted from it.
 */
export interface UpstreamFailureDetail {
  /** The method and the path, its ids as `{id}`: "GET /api/v2/{id}/contacts.json". */
  request: string;
  /** The start of the answer's body, or the transport error. */
  excerpt: string;
}
export type UpstreamRequestObserver = (event: UpstreamRequestEvent) => void;

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN";

export interface ProtectionStatus {
  breaker: BreakerState;
  budget: BudgetStatus;
}

/** The protection every provider gets; the numbers are the gateway's configuration. */
export interface UpstreamProtection {
  /** Connect, headers and body timeout of one attempt, each. */
  timeoutMs: number;
  /** The most bytes an answer may have; past it the call is BAD_RESPONSE and the body is dropped. */
  maxBodyBytes: number;
  /** Retries of one request at most (reads and idempotent writes only). */
  maxRetries: number;
  /** The first backoff; each retry doubles it, with full jitter. */
  retryBaseMs: number;
  /** Consecutive outages (5xx, unreachable, timed out) that open the breaker. */
  breakerFailures: number;
  /** How long an open breaker fails fast before one request probes the provider. */
  breakerCooldownMs: number;
  /** Shares the rate budgets across gateway instances; null counts in this process. */
  redis: Redis | null;
  /** Gateway instances sharing the credentials: each keeps 1/instances of a budget while Redis is down. */
  instances: number;
  /** The share of each rate budget background work (the mirror's sync) may spend: MIRROR_BUDGET_SHARE. */
  backgroundShare: number;
}

export const DEFAULT_PROTECTION: UpstreamProtection = {
  timeoutMs: 10_000,
  maxBodyBytes: 8 * 1024 * 1024,
  maxRetries: 2,
  retryBaseMs: 200,
  breakerFailures: 5,
  breakerCooldownMs: 30_000,
  redis: null,
  instances: 1,
  backgroundShare: 0.25,
};

/** What the gateway hands every REST adapter besides its credentials; tests set only what they need. */
export type UpstreamSettings = Partial<UpstreamProtection> & {
  /** Tests pass an undici MockAgent; otherwise the client owns one keep-alive pool for the origin. */
  dispatcher?: Dispatcher;
  onRequest?: UpstreamRequestObserver;
};

export interface UpstreamClientOptions {
  provider: Provider;
  /** Scheme and host, e.g. https://api.productive.io. */
  origin: string;
  /** Headers sent with every request (credentials included); a function so a refreshed token is picked up. */
  headers: () => Record<string, string>;
  /** The credential's documented limits; the shortest window is the pause a 429 without a hint asks for. */
  rateLimits: readonly RateWindow[];
  /** Names the credential the provider counts requests against (see `credentialKey`). */
  budgetKey: string;
  settings: UpstreamSettings;
}

export interface UpstreamClient {
  readonly provider: Provider;
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
  protection(): Promise<ProtectionStatus>;
  close(): Promise<void>;
}

/** A stable name for a credential that reveals nothing of it: budgets and dedup keys use it. */
export const credentialKey = (...parts: string[]) =>
  createHash("sha256").update(parts.join("\u0000")).digest("hex").slice(0, 16);

/** The most characters of an answer's body a failure's log line quotes. */
const MAX_LOGGED_EXCERPT = 500;

/** A 429 whose pause is at most this long is waited out and retried; a longer one is the client's. */
const SHORT_PAUSE_SECONDS = 2;
/** Retries are paid from a budget that each first attempt adds to, so an outage cannot multiply the load. */
const RETRY_TOKENS_PER_REQUEST = 0.2;
const MAX_RETRY_TOKENS = 10;

/** One failed attempt, with what retrying and the breaker need to know: the status, if one came. */
class FailedAttempt extends Error {
  constructor(
    readonly error: UpstreamError,
    readonly status: number | null,
    /** Ended by the request's own scope (its client left, its deadline passed): no sign of an outage. */
    readonly abandoned: boolean,
  ) {
    super(error.message);
  }
}

/**
 * Whether an attempt met an outage (a 5xx or no answer, unavailable or timed out): what opens the
 * breaker, and what /ready reports; a refusal (4xx, 429) is the provider answering.
 */
export function isOutage(status: number | null, code: UpstreamError["code"] | null): boolean {
  return (status === null || status >= 500) && (code === "UNAVAILABLE" || code === "TIMEOUT");
}

const BREAKER_STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: "CLOSED",
  [CircuitState.Open]: "OPEN",
  [CircuitState.HalfOpen]: "HALF_OPEN",
  [CircuitState.Isolated]: "OPEN",
};

export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const { provider, origin } = options;
  const settings = { ...DEFAULT_PROTECTION, ...options.settings };
  const { timeoutMs } = settings;
  const ownPool = options.settings.dispatcher
    ? null
    : new Pool(origin, {
        // Enough for a by-id wave the budget allows (25 FreeAgent ids at once) to go out together.
        connections: 64,
        keepAliveTimeout: 30_000,
        connect: { timeout: timeoutMs },
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
  const dispatcher = options.settings.dispatcher ?? (ownPool as Dispatcher);
  const shortestWindow = Math.min(...options.rateLimits.map((window) => window.seconds));
  const budget = createRateBudget({
    provider,
    key: options.budgetKey,
    windows: options.rateLimits,
    redis: settings.redis,
    instances: settings.instances,
    backgroundShare: settings.backgroundShare,
  });
  // Outages open the breaker; answers that are the provider refusing (4xx, 429) or the client giving up do not.
  const breaker = circuitBreaker(
    handleWhen(
      (failure) =>
        failure instanceof FailedAttempt &&
        !failure.abandoned &&
        isOutage(failure.status, failure.error.code),
    ),
    {
      halfOpenAfter: settings.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(settings.breakerFailures),
    },
  );
  // While open, requests fail before spending the budget: an outage must not read as RATE_LIMITED.
  let openUntil = 0;
  breaker.onBreak(() => {
    openUntil = Date.now() + settings.breakerCooldownMs;
  });
  breaker.onReset(() => {
    openUntil = 0;
  });
  let retryTokens = MAX_RETRY_TOKENS;
  const inFlight = new Map<string, SharedCall>();

  /** One attempt on the wire: the response, or a `FailedAttempt` thrown. */
  async function send(req: UpstreamRequest, signal: AbortSignal, attempt: number): Promise<UpstreamResponse> {
    const path = req.path + queryString(req.query);
    const started = performance.now();
    const requestHeaders = { ...options.headers(), ...req.headers };
    const secrets = credentialsOf(requestHeaders, req.body);
    // Not among `secrets`: the id is the client's own, no credential to redact. A shared
    // GET carries the id of the request that started it.
    const requestId = activeScope()?.requestId;
    const failure = (excerpt: string): UpstreamFailureDetail => ({
      request: `${req.method} ${pathTemplate(req.path)}`,
      excerpt: truncate(redactSecrets(excerpt, secrets), MAX_LOGGED_EXCERPT),
    });
    /** What tests and logs see of this attempt: one event, however it ended. */
    const report = (
      status: number | null,
      errorCode: UpstreamError["code"] | null,
      detail: UpstreamFailureDetail | null,
    ) =>
      options.settings.onRequest?.({
        provider,
        method: req.method,
        url: path,
        status,
        durationMs: performance.now() - started,
        errorCode,
        attempt,
        failure: detail,
      });
    const fail = (error: UpstreamError, status: number | null, excerpt: string): never => {
      report(status, error.code, failure(excerpt));
      throw new FailedAttempt(error, status, signal.aborted);
    };

    let response: Dispatcher.ResponseData;
    try {
      response = await dispatcher.request({
        origin,
        path,
        method: req.method,
        headers: {
          accept: "application/json",
          ...(req.body !== undefined ? { "content-type": "application/json" } : {}),
          ...requestHeaders,
          ...(requestId ? { "x-request-id": requestId } : {}),
        },
        body:
          req.body === undefined
            ? undefined
            : typeof req.body === "string"
              ? req.body
              : JSON.stringify(req.body),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs * 2)]),
      });
    } catch (cause) {
      return fail(transportError(provider, req, cause, null), null, String(cause));
    }
    const status = response.statusCode;
    let text: string;
    try {
      text = await readCapped(response, settings.maxBodyBytes);
    } catch (cause) {
      response.body.destroy();
      if (cause instanceof BodyTooLarge) {
        return fail(
          oversizedBody(provider, req, status, settings.maxBodyBytes),
          status,
          "body over the size cap, dropped",
        );
      }
      return fail(transportError(provider, req, cause, status), status, String(cause));
    }
    // An error body is read for the client's message (a refusal, field errors), and may echo the
    // credentials: they go before anything reads it.
    if (status >= 400) text = redactSecrets(text, secrets);

    const headers = response.headers;
    const error = statusError(provider, req, status, headers, shortestWindow);
    if (error) return fail(error, status, text);
    // A 404 is an answer (the record does not exist), not a failure to look into.
    report(status, null, status >= 400 && status !== 404 ? failure(text) : null);
    const exhausted = exhaustedForSeconds(headers);
    if (exhausted !== null) await budget.pause(exhausted);
    return { status, headers, body: parseBody(text) };
  }

  /** A wait (for the budget, a backoff) that the request's deadline or its client ends: TIMEOUT. */
  async function waitable(scope: RequestScope, req: UpstreamRequest, wait: () => Promise<unknown>) {
    try {
      await wait();
    } catch (error) {
      if (scope.signal.aborted) throw transportError(provider, req, scope.signal.reason, null);
      throw error;
    }
  }

  /** Whether a failed attempt is worth another, and the pause the provider asked for first. */
  function retryAllowed(req: UpstreamRequest, failure: FailedAttempt, attempt: number): boolean {
    const repeatable =
      req.method === "GET" || req.method === "PUT" || req.method === "DELETE" || req.idempotent;
    if (!repeatable || attempt >= settings.maxRetries || retryTokens < 1) return false;
    const { error, status } = failure;
    const worthIt =
      status === 429
        ? (error.retryAfterSeconds ?? shortestWindow) <= SHORT_PAUSE_SECONDS
        : status === 502 ||
          status === 503 ||
          status === 504 ||
          (status === null && error.code === "UNAVAILABLE");
    if (worthIt) retryTokens -= 1;
    return worthIt;
  }

  /** The request with its retries, each attempt paid from the budget and passed through the breaker. */
  async function attempts(req: UpstreamRequest, scope: RequestScope): Promise<UpstreamResponse> {
    retryTokens = Math.min(MAX_RETRY_TOKENS, retryTokens + RETRY_TOKENS_PER_REQUEST);
    for (let attempt = 0; ; attempt++) {
      if (Date.now() < openUntil) throw circuitOpen(req);
      await waitable(scope, req, () => budget.acquire(scope));
      try {
        return await breaker.execute(() => send(req, scope.signal, attempt));
      } catch (thrown) {
        if (thrown instanceof BrokenCircuitError) throw circuitOpen(req);
        if (!(thrown instanceof FailedAttempt)) throw thrown;
        if (thrown.status === 429) await budget.pause(thrown.error.retryAfterSeconds ?? shortestWindow);
        if (!retryAllowed(req, thrown, attempt)) throw thrown.error;
        // A 429's pause is waited out by the budget; other failures back off with full jitter.
        const backoffMs = thrown.status === 429 ? 0 : Math.random() * settings.retryBaseMs * 2 ** attempt;
        if (Date.now() + backoffMs >= scope.deadlineAt) throw thrown.error;
        await waitable(scope, req, () => sleep(backoffMs, undefined, { signal: scope.signal }));
      }
    }
  }

  function circuitOpen(req: UpstreamRequest): UpstreamError {
    const seconds = Math.max(1, Math.ceil((openUntil - Date.now()) / 1000));
    return new UpstreamError(
      provider,
      "UNAVAILABLE",
      `${provider} is failing: the gateway stops calling it for ${seconds} s more (circuit open; ${callName(req)} was not sent)`,
      seconds,
    );
  }

  /** Identical GETs in flight share one call; it is abandoned only when every request waiting for it is. */
  function shared(req: UpstreamRequest, scope: RequestScope): Promise<UpstreamResponse> {
    const key = JSON.stringify([req.path, req.query ?? {}, req.headers ?? {}, options.headers()]);
    let call = inFlight.get(key);
    if (!call) {
      const controller = new AbortController();
      const callScope = { ...scope, signal: controller.signal };
      const created: SharedCall = {
        waiters: 0,
        controller,
        response: attempts(req, callScope).finally(() => inFlight.delete(key)),
      };
      inFlight.set(key, created);
      call = created;
    }
    return waitFor(call, scope, req);
  }

  function waitFor(call: SharedCall, scope: RequestScope, req: UpstreamRequest): Promise<UpstreamResponse> {
    call.waiters += 1;
    return new Promise<UpstreamResponse>((resolve, reject) => {
      const leave = () => {
        call.waiters -= 1;
        if (call.waiters === 0) call.controller.abort(scope.signal.reason);
        reject(transportError(provider, req, scope.signal.reason, null));
      };
      if (scope.signal.aborted) return leave();
      scope.signal.addEventListener("abort", leave, { once: true });
      call.response.then(
        (response) => {
          scope.signal.removeEventListener("abort", leave);
          resolve(response);
        },
        (error: unknown) => {
          scope.signal.removeEventListener("abort", leave);
          reject(error);
        },
      );
    });
  }

  return {
    provider,
    request(req) {
      const scope = currentScope(timeoutMs * (settings.maxRetries + 1));
      return req.method === "GET" ? shared(req, scope) : attempts(req, scope);
    },
    async protection() {
      // Past its cool-down an open breaker lets the next request through as its probe.
      const state =
        breaker.state === CircuitState.Open && Date.now() >= openUntil
          ? CircuitState.HalfOpen
          : breaker.state;
      return { breaker: BREAKER_STATES[state], budget: await budget.status() };
    },
    async close() {
      await ownPool?.close();
    },
  };
}

interface SharedCall {
  response: Promise<UpstreamResponse>;
  waiters: number;
  controller: AbortController;
}

class BodyTooLarge extends Error {}

/** The body as text, read chunk by chunk so that an answer past `maxBytes` is dropped, not buffered. */
async function readCapped(response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const declared = integerHeader(response.headers, "content-length");
  if (declared !== null && declared > maxBytes) throw new BodyTooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new BodyTooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function queryString(query: UpstreamRequest["query"]): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null) params.append(key, String(value));
  }
  const encoded = params.toString();
  return encoded ? `?${encoded}` : "";
}

function parseBody(text: string): unknown {
  if (text.trim() === "") return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { bodyOf, type Operation, post, type Scenario } from "./operations.ts";
import type { Child } from "./processes.ts";
import type { Upstream } from "./targets.ts";

/** One autocannon round of `amount` requests against one server, with the server's CPU and memory over it. */
export interface Round {
  responses: number;
  /** Non-2xx answers, socket errors and GraphQL `errors` in a 2xx body. */
  errors: number;
  p50: number;
  p99: number;
  seconds: number;
  cpuMs: number;
  peakRssMb: number;
  /** Upstream requests the fakes received during the round, where there are fakes. */
  upstreamRequests: number | null;
}

/** Requests made unique so far: a suffix no other request of the run has. */
let sent = 0;

const ROUND_END_TICK_MS = 50;

/** RSS is sampled this often during a round: VmHWM is the whole process's peak, not the round's. */
const RSS_SAMPLE_MS = 50;

export async function runRound(
  child: Child,
  operation: Scenario,
  connections: number,
  amount: number,
  headers: Record<string, string>,
  upstream: Upstream | null = null,
): Promise<Round> {
  let responses = 0;
  let errors = 0;
  let peakRssMb = child.memory().rssMb;
  const sampler = setInterval(() => {
    peakRssMb = Math.max(peakRssMb, child.memory().rssMb);
  }, RSS_SAMPLE_MS);
  upstream?.clear();
  const cpuBefore = child.cpuMs();
  const started = performance.now();
  // Rates run to the last response: autocannon finishes a round only at its next sampling tick.
  let lastResponseAt = started;
  const result = await autocannon({
    url: `${child.origin}/graphql`,
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json", ...headers },
    body: bodyOf(operation),
    connections,
    amount,
    // Autocannon ends a round at its next sampling tick (1 s by default): a short tick keeps the
    // wait after the last response short. Its own per-tick rates are not used.
    sampleInt: ROUND_END_TICK_MS,
    // The gateway's own deadline (REQUEST_TIMEOUT_MS) is 30 s; autocannon's default 10 s would cut a slow baseline short.
    timeout: 30,
    requests: [
      {
        // A body of its own per request where it must be unique; autocannon's idReplacement
        // announces a Content-Length that does not match the replaced body.
        ...(operation.unique && {
          setupRequest: (request) => ({ ...request, body: bodyOf(operation, `${process.pid}-${++sent}`) }),
        }),
        onResponse: (status, body) => {
          responses += 1;
          lastResponseAt = performance.now();
          if (status !== 200 || body.includes('"errors":')) errors += 1;
        },
      },
    ],
  });
  const elapsed = (lastResponseAt - started) / 1000;
  const cpuMs = child.cpuMs() - cpuBefore;
  clearInterval(sampler);
  const upstreamRequests = upstream ? upstream.requests().length : null;
  upstream?.clear();
  return {
    responses,
    errors: errors + result.errors,
    p50: result.latency.p50,
    p99: result.latency.p99,
    seconds: elapsed,
    cpuMs,
    peakRssMb: Math.max(peakRssMb, child.memory().rssMb),
    upstreamRequests,
  };
}

/** Runs a round of one cell (an operation on a server at a concurrency), sized by the pacer. */
export type Pacer = (
  cell: string,
  child: Child,
  operation: Scenario,
  connections: number,
  headers: Record<string, string>,
  upstream?: Upstream | null,
) => Promise<Round>;

/**
 * Rounds sized in requests rather than seconds: a timed round is cut off with requests in flight,
 * whose CPU would count without their responses. A cell's round asks for its last measured rate ×
 * `seconds` requests, at least two per connection (one round of one each measures the slowest
 * request, not a rate); its first round (a warm-up) asks for one per connection.
 */
export function createPacer(seconds: number): Pacer {
  const rates = new Map<string, number>();
  return async (cell, child, operation, connections, headers, upstream = null) => {
    const rate = rates.get(cell);
    const wanted = Math.ceil(((rate ?? 0) * seconds) / connections) * connections;
    const round = await runRound(
      child,
      operation,
      connections,
      rate === undefined ? connections : Math.max(2 * connections, wanted),
      headers,
      upstream,
    );
    rates.set(cell, round.responses / round.seconds);
    return round;
  };
}

/** What a run of rounds of one cell comes to: medians of the rounds' percentiles, totals for rates. */
export interface Summary {
  rounds: number;
  responses: number;
  errors: number;
  p50: number;
  p99: number;
  requestsPerSecond: number;
  cpuMsPerRequest: number;
  peakRssMb: number;
  upstreamPerRequest: number | null;
}

export function summarize(rounds: Round[]): Summary {
  const sum = (pick: (round: Round) => number) => rounds.reduce((total, round) => total + pick(round), 0);
  const responses = sum((round) => round.responses);
  const upstream = rounds.every((round) => round.upstreamRequests !== null)
    ? sum((round) => round.upstreamRequests ?? 0)
    : null;
  return {
    rounds: rounds.length,
    responses,
    errors: sum((round) => round.errors),
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    requestsPerSecond: responses / sum((round) => round.seconds),
    cpuMsPerRequest: sum((round) => round.cpuMs) / responses,
    peakRssMb: Math.max(...rounds.map((round) => round.peakRssMb)),
    upstreamPerRequest: upstream === null ? null : upstream / responses,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** What one GraphQL request cost upstream, measured alone: requests at the fakes, and their waves. */
export interface UpstreamCost {
  requests: number;
  waves: number;
  /** "PROVIDER METHOD path" → count, for the first probe. */
  calls: Record<string, number>;
}

/**
 * Sends the operation `times` times, one at a time, and reads the fakes' log after each: every
 * request the fakes saw then is that operation's. Waves are the dependent round trips: requests
 * sorted by arrival, a new wave whenever one arrives more than 0.9 × the fakes' latency after the
 * wave's first: a dependent request can only leave once an answer came back, a whole latency after
 * its wave began, while requests of one wave may arrive spread out by the fakes' own work.
 */
export async function probeUpstream(
  child: Child,
  operation: Operation,
  upstream: Upstream,
  latencyMs: number,
  headers: Record<string, string>,
  times: number,
): Promise<UpstreamCost[]> {
  const costs: UpstreamCost[] = [];
  for (let i = 0; i < times; i++) {
    upstream.clear();
    await post(
      child.origin,
      operation.query,
      JSON.parse(bodyOf(operation, `probe ${Date.now()} ${i}`)).variables,
      headers,
    );
    const requests = upstream.requests().sort((a, b) => a.receivedAt - b.receivedAt);
    let waves = 0;
    let waveStart = Number.NEGATIVE_INFINITY;
    for (const request of requests) {
      if (request.receivedAt - waveStart > latencyMs * 0.9) {
        waves += 1;
        waveStart = request.receivedAt;
      }
    }
    const calls: Record<string, number> = {};
    for (const request of requests) {
      const key = `${request.provider} ${request.method} ${request.target.split("?")[0]?.replace(/\/\d+/g, "/:id")}`;
      calls[key] = (calls[key] ?? 0) + 1;
    }
    costs.push({ requests: requests.length, waves, calls });
  }
  upstream.clear();
  return costs;
}

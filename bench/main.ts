import { randomBytes } from "node:crypto";
import { setMaxListeners } from "node:events";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { FILTERS } from "./filters.ts";
import {
  createPacer,
  probeUpstream,
  type Round,
  type Summary,
  summarize,
  type UpstreamCost,
} from "./load.ts";
import {
  bodyOf,
  MONEYBIRD_PAGE,
  OPERATIONS,
  type Operation,
  post,
  prepareVariables,
  withMirror,
} from "./operations.ts";
import { benchServerArgs, type Child, gatewayArgs, ROOT, startChild } from "./processes.ts";
import {
  type BenchResults,
  type FilterResult,
  type MemoryResult,
  type MirrorReady,
  type ReplayResult,
  renderMarkdown,
  type ServerName,
  type TargetResult,
} from "./report.ts";
import { liveTarget, mirrorTarget, STORE_BACKENDS, type Target } from "./targets.ts";

/**
 * `npm run bench [-- --quick] [--smoke] [--latency ms] [--scale N] [--store sqlite|postgres] [--out dir]`:
 * the gateway against the fakes (live), against the same fakes read from the mirror (MIRROR=on,
 * `@mirror`) and against the store, beside its N+1 baseline and a plain-yoga ceiling, in
 * interleaved rounds; writes results.md and results.json (docs/performance.md).
 */

const { values: args } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
    latency: { type: "string", default: "50" },
    scale: { type: "string", default: "1" },
    store: { type: "string", default: "sqlite" },
    out: { type: "string", default: join(ROOT, "bench") },
    // The sources through tsx even where dist/ exists: the smoke test checks the code as it is.
    source: { type: "boolean", default: false },
  },
});
const latencyMs = Number(args.latency);
const scale = Number(args.scale);
const storeBackendOption = STORE_BACKENDS[args.store as string];
if (!Number.isInteger(scale) || scale < 1)
  throw new Error(`--scale must be a whole number ≥ 1 (got ${args.scale})`);
if (!Number.isFinite(latencyMs) || latencyMs < 0)
  throw new Error(`--latency must be ms ≥ 0 (got ${args.latency})`);
if (!storeBackendOption) throw new Error(`--store must be one of ${Object.keys(STORE_BACKENDS).join(", ")}`);
const storeBackend = storeBackendOption;
const GATEWAY_ARGS = gatewayArgs(args.source === true);
// The fakes add an abort listener per open exchange to one signal: hundreds at once under load.
setMaxListeners(Number.POSITIVE_INFINITY);

/** How long and how often: full ≈ 5 min, --quick < 2 min, --smoke (the test's) op (a) live and from the mirror. */
const PROFILES = {
  full: {
    warmup: true,
    rounds: 2,
    seconds: 1.5,
    probes: 3,
    memoryRounds: 5,
    memorySeconds: 2,
    pauseSeconds: 10,
    replaySeconds: 2,
    filterRounds: 2,
    filterSeconds: 1,
  },
  quick: {
    warmup: true,
    rounds: 1,
    seconds: 0.4,
    probes: 1,
    memoryRounds: 5,
    memorySeconds: 0.5,
    pauseSeconds: 2,
    replaySeconds: 1,
    filterRounds: 1,
    filterSeconds: 0.4,
  },
  // No warm-up: the test checks behaviour, not speed.
  smoke: {
    warmup: false,
    rounds: 1,
    seconds: 1,
    probes: 1,
    memoryRounds: 0,
    memorySeconds: 0,
    pauseSeconds: 0,
    replaySeconds: 0,
    filterRounds: 0,
    filterSeconds: 0,
  },
};
const profileName = args.smoke ? "smoke" : args.quick ? "quick" : "full";
const profile = PROFILES[profileName];
const CONCURRENCIES = [1, 20] as const;
const LOADED = 20;
const operations = args.smoke ? OPERATIONS.filter((operation) => operation.key === "a") : OPERATIONS;

/** The gateways run as in production, with an API key the bench sends. */
const API_KEY = randomBytes(32).toString("hex");
const AUTH = { authorization: `Bearer ${API_KEY}` };
const GATEWAY_ENV = { NODE_ENV: "production", LOG_LEVEL: "info", GATEWAY_API_KEYS: API_KEY };

const SERVERS: readonly ServerName[] = ["gateway", "baseline", "ceiling"];
const headersFor = (server: ServerName) => (server === "ceiling" ? {} : AUTH);

const started = Date.now();
/** Progress on stderr: which phase, how far in. */
const progress = (message: string) =>
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0)} s] ${message}\n`);
const work = mkdtempSync(join(tmpdir(), "contacts-bench-run-"));
const children: Child[] = [];
const targets: Target[] = [];

async function start(name: string, argv: string[], env: Record<string, string>): Promise<Child> {
  const child = await startChild(name, argv, env);
  children.push(child);
  return child;
}
async function stop(...stopping: Child[]) {
  await Promise.all(stopping.map((child) => child.stop()));
  for (const child of stopping) children.splice(children.indexOf(child), 1);
}

/** How long the mirror target's first sync round may take before the bench gives up. */
const MIRROR_READY_MS = 60_000;

/**
 * Waits until the gateway tells every provider's mirror SYNCED (its first round, at start-up, has
 * completed and it has read so); a FAILING mirror, or none SYNCED within MIRROR_READY_MS, fails the run.
 */
async function untilMirrored(child: Child): Promise<MirrorReady> {
  const waitStarted = Date.now();
  type Row = {
    provider: string;
    mirror: { state: string; syncedAt: string | null; records: number; lastError: string | null } | null;
  };
  for (;;) {
    const { data } = await post(
      child.origin,
      "{ providers { provider mirror { state syncedAt records lastError } } }",
      undefined,
      AUTH,
    );
    const rows = data.providers as Row[];
    const told = rows
      .map(({ provider, mirror }) =>
        mirror
          ? `${provider} ${mirror.state} (${mirror.records} records${mirror.lastError ? `, ${mirror.lastError}` : ""})`
          : `${provider}: no mirror`,
      )
      .join(", ");
    if (rows.some((row) => row.mirror?.state === "FAILING"))
      throw new Error(`${child.name}: a mirror round failed: ${told}`);
    if (rows.length > 0 && rows.every((row) => row.mirror?.state === "SYNCED")) {
      return {
        waitedSeconds: (Date.now() - waitStarted) / 1000,
        providers: rows.map(({ provider, mirror }) => ({
          provider,
          records: mirror?.records ?? 0,
          syncedAt: mirror?.syncedAt ?? "",
        })),
      };
    }
    if (Date.now() - waitStarted > MIRROR_READY_MS)
      throw new Error(`${child.name}: the mirror was not SYNCED within ${MIRROR_READY_MS / 1000} s: ${told}`);
    await sleep(250);
  }
}

/**
 * The target's reference operations as sent to it: on the mirror target each query operation with
 * `@mirror(maxAgeSeconds:)` and no upstream request as its minimum, and the mutations left out
 * (a write always goes live, src/mirror/sources.ts).
 */
function operationsFor(target: Target): Operation[] {
  const maxAge = target.mirrorMaxAgeSeconds;
  if (maxAge === null) return operations;
  return operations.flatMap((operation) => {
    const query = withMirror(operation.query, maxAge);
    if (query === null) return [];
    const why =
      operation.minimum.requests === 0
        ? operation.minimum.why
        : `every read from the mirror (@mirror(maxAgeSeconds: ${maxAge})): the store, no upstream call`;
    return [{ ...operation, query, minimum: { requests: 0, waves: 0, why } }];
  });
}

/** The providers a response says the mirror served (`extensions.mirror.syncedAt`); null without `extensions.mirror`. */
function mirrorReadsOf(text: string): string[] | null {
  const { extensions } = JSON.parse(text) as {
    extensions?: { mirror?: { syncedAt?: Record<string, string> } };
  };
  return extensions?.mirror ? Object.keys(extensions.mirror.syncedAt ?? {}).sort() : null;
}

/** The gateway, its batching-off baseline and the ceiling over one target, measured in interleaved rounds. */
async function benchTarget(target: Target, keepGateway: boolean) {
  const [gateway, baseline] = await Promise.all([
    start(`gateway (${target.name})`, GATEWAY_ARGS, { ...GATEWAY_ENV, ...target.env }),
    start(`baseline (${target.name})`, GATEWAY_ARGS, {
      ...GATEWAY_ENV,
      ...target.env,
      GATEWAY_BATCHING: "off",
    }),
  ]);
  const afterStart = { gateway: gateway.memory().rssMb, baseline: baseline.memory().rssMb };
  // Both read the mirror's state from the store they share; one of them holds the lease and syncs.
  let mirror: TargetResult["mirror"] = null;
  if (target.kind === "mirror") {
    progress(`${target.name}: waiting for the first sync round`);
    const [ready] = await Promise.all([untilMirrored(gateway), untilMirrored(baseline)]);
    mirror = ready;
  }
  const maxAge = target.mirrorMaxAgeSeconds;
  const prepared = await prepareVariables(
    gateway.origin,
    AUTH,
    operationsFor(target),
    maxAge === null ? undefined : (query) => withMirror(query, maxAge) ?? query,
  );

  // The ceiling answers what the gateway answered: one capture per operation, keyed by its name.
  const captured: Record<string, { text: string; data: unknown }> = {};
  for (const operation of prepared) {
    const { text, data } = await post(
      gateway.origin,
      operation.query,
      JSON.parse(bodyOf(operation, "capture")).variables,
      AUTH,
    );
    captured[operation.key] = { text, data };
  }
  const responsesFile = join(work, `ceiling-${target.name.replace(/\W+/g, "-")}.json`);
  writeFileSync(
    responsesFile,
    JSON.stringify(
      Object.fromEntries(
        prepared.map((operation) => [operationName(operation), captured[operation.key]?.data]),
      ),
    ),
  );
  const ceiling = await start(`ceiling (${target.name})`, benchServerArgs("ceiling.ts"), {
    CEILING_RESPONSES: responsesFile,
  });
  const servers: Record<ServerName, Child> = { gateway, baseline, ceiling };
  const sameBytes: Record<string, boolean> = {};
  for (const operation of prepared) {
    const { text } = await post(
      ceiling.origin,
      operation.query,
      JSON.parse(bodyOf(operation, "capture")).variables,
      {},
    );
    // The mirror's answers carry extensions.mirror, which plain yoga does not add: the rest is compared.
    const gatewayText = captured[operation.key]?.text ?? "";
    const comparable =
      target.kind === "mirror"
        ? JSON.stringify({ ...JSON.parse(gatewayText), extensions: undefined })
        : gatewayText;
    sameBytes[operation.key] = text === comparable;
  }
  const ceilingStartMb = ceiling.memory().rssMb;

  const upstream: Record<string, Record<"gateway" | "baseline", UpstreamCost[]>> = {};
  if (target.upstream) {
    for (const operation of prepared) {
      upstream[operation.key] = {
        gateway: await probeUpstream(gateway, operation, target.upstream, latencyMs, AUTH, profile.probes),
        baseline: await probeUpstream(baseline, operation, target.upstream, latencyMs, AUTH, profile.probes),
      };
    }
  }

  // Rounds alternate gateway / baseline / ceiling for each cell, so machine noise hits all alike;
  // round 0 is the warm-up (JIT, connection pools) and sizes the next ones.
  const pace = createPacer(profile.seconds);
  const rounds = new Map<string, Round[]>();
  for (let round = profile.warmup ? 0 : 1; round <= profile.rounds; round++) {
    for (const operation of prepared) {
      for (const connections of CONCURRENCIES) {
        for (const server of SERVERS) {
          const cell = `${operation.key} ${server} ${connections}`;
          progress(`${target.name}: round ${round}, ${cell}`);
          const measured = await pace(
            cell,
            servers[server],
            operation,
            connections,
            headersFor(server),
            target.upstream,
          );
          if (round > 0) collect(rounds, cell, measured);
        }
      }
    }
  }

  const result: TargetResult = {
    name: target.name,
    kind: target.kind,
    mirror,
    operations: prepared.map((operation) => ({
      key: operation.key,
      title: operation.title,
      minimum: target.upstream ? operation.minimum : null,
      upstream: upstream[operation.key] ?? null,
      load: Object.fromEntries(
        SERVERS.map((server) => [
          server,
          Object.fromEntries(
            CONCURRENCIES.map((connections) => [
              `c${connections}`,
              summarize(rounds.get(`${operation.key} ${server} ${connections}`) ?? []),
            ]),
          ),
        ]),
      ) as Record<ServerName, Record<string, Summary>>,
      responseBytes: Buffer.byteLength(captured[operation.key]?.text ?? ""),
      mirrorReads: mirrorReadsOf(captured[operation.key]?.text ?? "{}"),
      ceilingSameBytes: sameBytes[operation.key] ?? false,
    })),
    idleRssMb: { afterStart: { ...afterStart, ceiling: ceilingStartMb } },
    peakRssMb: {
      gateway: gateway.memory().peakMb,
      baseline: baseline.memory().peakMb,
      ceiling: ceiling.memory().peakMb,
    },
  };
  await stop(baseline, ceiling);
  if (!keepGateway) await stop(gateway);
  return { result, gateway, prepared };
}

/** Adds a round to its cell's list. */
function collect(rounds: Map<string, Round[]>, cell: string, round: Round): void {
  rounds.set(cell, [...(rounds.get(cell) ?? []), round]);
}

/** The operation name a document declares (`query A …`), by which the ceiling finds its capture. */
function operationName(operation: Operation): string {
  return /^(?:query|mutation)\s+(\w+)/.exec(operation.query)?.[1] ?? "";
}

/**
 * The gateway's own cost on a one-call page: 50 Moneybird contacts with people, the fake answering
 * at once, against a plain-fetch replay of the same upstream call.
 */
async function benchReplay(live: Target, gateway: Child): Promise<ReplayResult> {
  const upstream = live.upstream;
  if (!upstream) throw new Error("the replay needs the fakes");
  upstream.setLatency(0);
  const [probe] = await probeUpstream(gateway, MONEYBIRD_PAGE, upstream, 0, AUTH, 1);
  upstream.clear();
  await post(gateway.origin, MONEYBIRD_PAGE.query, undefined, AUTH);
  const call = upstream.requests()[0];
  if (!call || probe?.requests !== 1)
    throw new Error(`the Moneybird page made ${probe?.requests} upstream calls`);
  const replay = await start("replay", benchServerArgs("replay.ts"), {
    REPLAY_URL: `${upstream.moneybird.origin}${call.target}`,
    REPLAY_TOKEN: upstream.moneybird.token,
  });
  const servers = { gateway, replay };
  const pace = createPacer(profile.replaySeconds);
  const rounds: Record<keyof typeof servers, Round[]> = { gateway: [], replay: [] };
  for (let round = 0; round <= profile.rounds; round++) {
    for (const name of ["gateway", "replay"] as const) {
      const measured = await pace(name, servers[name], MONEYBIRD_PAGE, LOADED, AUTH, upstream);
      if (round > 0) rounds[name].push(measured);
    }
  }
  await stop(replay);
  upstream.setLatency(latencyMs);
  const gatewaySummary = summarize(rounds.gateway);
  const replaySummary = summarize(rounds.replay);
  return {
    operation: MONEYBIRD_PAGE.title,
    upstreamCall: `GET ${call.target}`,
    records: 50,
    gateway: gatewaySummary,
    replay: replaySummary,
    gatewayOwnCpuMsPer50Records: gatewaySummary.cpuMsPerRequest - replaySummary.cpuMsPerRequest,
    targetMs: 1,
  };
}

/** Op (a) at concurrency 20 on the store, round after round, with the RSS after each; then idle. */
async function benchMemory(gateway: Child, prepared: Operation[]): Promise<MemoryResult> {
  const operation = prepared.find((candidate) => candidate.key === "a") as Operation;
  const rounds: { round: number; requestsPerSecond: number; rssMb: number }[] = [];
  // The pacer's first round of this cell comes out short: it is sized from nothing, so it warms up.
  const pace = createPacer(profile.memorySeconds);
  await pace("memory", gateway, operation, LOADED, AUTH);
  for (let round = 1; round <= profile.memoryRounds; round++) {
    const result = summarize([await pace("memory", gateway, operation, LOADED, AUTH)]);
    rounds.push({ round, requestsPerSecond: result.requestsPerSecond, rssMb: gateway.memory().rssMb });
  }
  const afterLoadMb = gateway.memory().rssMb;
  // No load for a while: V8's memory reducer runs a full GC once allocation stops.
  await sleep(profile.pauseSeconds * 1000);
  return {
    operation: operation.title,
    seconds: profile.memorySeconds,
    rounds,
    idle: { afterLoadMb, afterPauseMb: gateway.memory().rssMb, pauseSeconds: profile.pauseSeconds },
    peakMb: gateway.memory().peakMb,
  };
}

/** Each filter the store serves, at 1× and N× data, interleaved; the ratio is N×'s req/s over 1×'s. */
async function benchFilters(oneX: Child): Promise<FilterResult[]> {
  const scaled = await storeBackend(scale);
  targets.push(scaled);
  const nX = await start(`gateway (${scaled.name})`, GATEWAY_ARGS, { ...GATEWAY_ENV, ...scaled.env });
  const servers = { "1×": oneX, [`${scale}×`]: nX };
  const rounds = new Map<string, Round[]>();
  const pace = createPacer(profile.filterSeconds);
  for (let round = 0; round <= profile.filterRounds; round++) {
    for (const filter of FILTERS) {
      for (const [name, server] of Object.entries(servers)) {
        const cell = `${filter.key} ${name}`;
        progress(`filters: round ${round}, ${cell}`);
        const measured = await pace(cell, server, filter, LOADED, AUTH);
        if (round > 0) collect(rounds, cell, measured);
      }
    }
  }
  await stop(nX);
  return FILTERS.map((filter) => {
    const one = summarize(rounds.get(`${filter.key} 1×`) ?? []);
    const many = summarize(rounds.get(`${filter.key} ${scale}×`) ?? []);
    return {
      key: filter.key,
      title: filter.title,
      unpaged: filter.unpaged === true,
      oneX: one,
      scaled: many,
      ratio: many.requestsPerSecond / one.requestsPerSecond,
    };
  });
}

function machine() {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  return {
    cpu: /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? "unknown",
    cores: cpus().length,
    node: process.version,
    date: new Date(started).toISOString(),
    loadAverageAtStart: loadavg().map((load) => Number(load.toFixed(2))),
    gatewayCommand: `node ${GATEWAY_ARGS.join(" ")}`,
  };
}

async function main() {
  const info = machine();
  const live = await liveTarget(latencyMs);
  targets.push(live);
  progress("live target ready");
  const liveRun = await benchTarget(live, !args.smoke);
  if (!args.smoke) progress("replay");
  const replay = args.smoke ? null : await benchReplay(live, liveRun.gateway);
  const violations = [...(live.upstream?.violations() ?? [])];
  if (!args.smoke) await stop(liveRun.gateway);
  await live.close();
  targets.splice(targets.indexOf(live), 1);

  // The same fakes (seeded anew), read from the mirror.
  const mirror = await mirrorTarget(latencyMs);
  targets.push(mirror);
  progress("mirror target ready");
  const mirrorRun = await benchTarget(mirror, false);
  violations.push(...(mirror.upstream?.violations() ?? []));
  await mirror.close();
  targets.splice(targets.indexOf(mirror), 1);

  let storeRun: Awaited<ReturnType<typeof benchTarget>> | null = null;
  let memory: MemoryResult | null = null;
  let filters: FilterResult[] | null = null;
  if (!args.smoke) {
    const store = await storeBackend(1);
    targets.push(store);
    progress("store target ready");
    storeRun = await benchTarget(store, true);
    progress("memory rounds");
    memory = await benchMemory(storeRun.gateway, storeRun.prepared);
    if (scale > 1) progress(`filters at 1× and ${scale}×`);
    if (scale > 1) filters = await benchFilters(storeRun.gateway);
    await stop(storeRun.gateway);
  }

  const results: BenchResults = {
    machine: info,
    options: {
      profile: profileName,
      latencyMs,
      scale,
      store: args.store as string,
      rounds: profile.rounds,
      roundSeconds: profile.seconds,
    },
    durationSeconds: Math.round((Date.now() - started) / 1000),
    targets: [liveRun.result, mirrorRun.result, ...(storeRun ? [storeRun.result] : [])],
    moneybirdSpecViolations: violations,
    replay,
    memory,
    filters,
  };
  const out = resolve(args.out as string);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(out, "results.md"), renderMarkdown(results));
  console.log(`bench: ${results.durationSeconds} s; wrote ${join(out, "results.md")} and results.json`);
}

// Interrupted: the children and fakes go too.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) void child.stop();
    process.exitCode = 130;
    setTimeout(() => process.exit(), 2000).unref();
  });
}

try {
  await main();
} finally {
  await Promise.allSettled(children.map((child) => child.stop()));
  await Promise.allSettled(targets.map((target) => target.close()));
  rmSync(work, { recursive: true, force: true });
}

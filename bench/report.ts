import type { Summary, UpstreamCost } from "./load.ts";
import type { Operation } from "./operations.ts";

/** The shape of results.json; results.md is rendered from it. */
export type ServerName = "gateway" | "baseline" | "ceiling";

export interface OperationResult {
  key: string;
  title: string;
  minimum: Operation["minimum"] | null;
  /** Upstream cost of one request alone (live only), each probe's. */
  upstream: Record<"gateway" | "baseline", UpstreamCost[]> | null;
  /** Per server, per concurrency (`c1`, `c20`). */
  load: Record<ServerName, Record<string, Summary>>;
  responseBytes: number;
  /** Whether the ceiling's answer has the gateway's bytes (on the mirror target: less its `extensions`). */
  ceilingSameBytes: boolean;
  /** The providers the gateway's answer says the mirror served (`extensions.mirror.syncedAt`); null without `extensions.mirror`. */
  mirrorReads: string[] | null;
}

/** The mirror target's state once every provider was SYNCED, before any round was measured. */
export interface MirrorReady {
  /** From the gateway's /health to every provider SYNCED. */
  waitedSeconds: number;
  providers: { provider: string; records: number; syncedAt: string }[];
}

export interface TargetResult {
  name: string;
  kind: "live" | "mirror" | "store";
  /** The mirror target's first sync; null on the others. */
  mirror: MirrorReady | null;
  operations: OperationResult[];
  idleRssMb: { afterStart: Record<ServerName, number> };
  peakRssMb: Record<ServerName, number>;
}

export interface ReplayResult {
  operation: string;
  upstreamCall: string;
  records: number;
  gateway: Summary;
  replay: Summary;
  gatewayOwnCpuMsPer50Records: number;
  targetMs: number;
}

export interface MemoryResult {
  operation: string;
  seconds: number;
  rounds: { round: number; requestsPerSecond: number; rssMb: number }[];
  idle: { afterLoadMb: number; afterPauseMb: number; pauseSeconds: number };
  peakMb: number;
}

export interface FilterResult {
  key: string;
  title: string;
  unpaged: boolean;
  oneX: Summary;
  scaled: Summary;
  ratio: number;
}

export interface BenchResults {
  machine: {
    cpu: string;
    cores: number;
    node: string;
    date: string;
    loadAverageAtStart: number[];
    gatewayCommand: string;
  };
  options: {
    profile: string;
    latencyMs: number;
    scale: number;
    store: string;
    rounds: number;
    roundSeconds: number;
  };
  durationSeconds: number;
  targets: TargetResult[];
  moneybirdSpecViolations: string[];
  replay: ReplayResult | null;
  memory: MemoryResult | null;
  filters: FilterResult[] | null;
}

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(value < 10 ? 1 : 0) : "–");
const fixed = (value: number, digits: number) => (Number.isFinite(value) ? value.toFixed(digits) : "–");
const table = (head: string[], rows: string[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `| ${head.map(() => "---").join(" | ")} |`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");

/** "2 (min 2 ✓)": every probe's count, then the stated minimum. */
function againstMinimum(
  costs: UpstreamCost[] | undefined,
  pick: (cost: UpstreamCost) => number,
  minimum?: number,
) {
  if (!costs?.length) return "–";
  const values = [...new Set(costs.map(pick))].join("/");
  if (minimum === undefined) return values;
  const ok = costs.every((cost) => pick(cost) === minimum);
  return `${values} (min ${minimum}${ok ? " ✓" : " ✗"})`;
}

function upstreamTable(target: TargetResult): string {
  return table(
    [
      "operation",
      "requests",
      "waves",
      "baseline requests",
      "baseline waves",
      "where (gateway)",
      "why the minimum",
    ],
    target.operations.map((operation) => {
      const { gateway, baseline } = operation.upstream ?? { gateway: [], baseline: [] };
      return [
        operation.title,
        againstMinimum(gateway, (cost) => cost.requests, operation.minimum?.requests),
        againstMinimum(gateway, (cost) => cost.waves, operation.minimum?.waves),
        againstMinimum(baseline, (cost) => cost.requests),
        againstMinimum(baseline, (cost) => cost.waves),
        Object.entries(gateway[0]?.calls ?? {})
          .map(([call, count]) => `${count}× ${call}`)
          .join("<br>"),
        operation.minimum?.why ?? "",
      ];
    }),
  );
}

function loadTable(target: TargetResult): string {
  const rows: string[][] = [];
  for (const operation of target.operations) {
    const ceiling = operation.load.ceiling.c20 as Summary;
    for (const server of ["gateway", "baseline", "ceiling"] as const) {
      const one = operation.load[server].c1 as Summary;
      const loaded = operation.load[server].c20 as Summary;
      rows.push([
        server === "gateway" ? operation.title : "",
        server,
        `${ms(one.p50)} / ${ms(one.p99)}`,
        `${ms(loaded.p50)} / ${ms(loaded.p99)}`,
        fixed(loaded.requestsPerSecond, 0),
        fixed(loaded.cpuMsPerRequest, 2),
        fixed(loaded.peakRssMb, 0),
        server === "ceiling"
          ? "1"
          : `${fixed(loaded.requestsPerSecond / ceiling.requestsPerSecond, 2)} / ${fixed(loaded.cpuMsPerRequest / ceiling.cpuMsPerRequest, 1)}`,
        String(one.errors + loaded.errors),
      ]);
    }
  }
  return table(
    [
      "operation",
      "server",
      "c=1 p50 / p99 ms",
      "c=20 p50 / p99 ms",
      "c=20 req/s",
      "CPU ms/req",
      "peak RSS MB",
      "÷ ceiling: req/s / CPU",
      "errors",
    ],
    rows,
  );
}

const PROFILES_SECTION = "[why](../docs/performance.md#what-the-profiles-show-and-what-changed)";

/** Issue 12's targets against this run's figures, each ✓ or ✗ (a miss links to what the profiles show). */
function targetsTable(results: BenchResults): string {
  const rows: string[][] = [];
  const row = (target: string, measured: string, met: boolean) =>
    rows.push([target, measured, met ? "✓" : `✗ ${PROFILES_SECTION}`]);
  const c20 = (operation: OperationResult, server: ServerName) => operation.load[server].c20;
  for (const target of results.targets) {
    if (target.kind === "mirror") {
      const alone = target.operations.flatMap((operation) => operation.upstream?.gateway ?? []);
      const reading = target.operations.filter((operation) =>
        operation.upstream?.gateway.some((cost) => cost.requests > 0),
      );
      const underLoad = upstreamUnderLoad(target, "gateway");
      row(
        "mirror: reads make no upstream call",
        `${reading.length ? `requests on ${reading.map((operation) => operation.key).join(", ")}` : `0 requests on each of ${target.operations.length} operations`} (alone); ${fixed(underLoad, 0)} during the gateway's load rounds`,
        alone.length > 0 && reading.length === 0 && underLoad === 0,
      );
    } else if (target.kind === "store") {
      for (const operation of target.operations.filter((op) => ["a", "b", "d"].includes(op.key))) {
        const ratio =
          (c20(operation, "gateway")?.requestsPerSecond ?? Number.NaN) /
          (c20(operation, "ceiling")?.requestsPerSecond ?? Number.NaN);
        row(`${target.name} (${operation.key}) ≥ 0.6 × plain yoga req/s`, fixed(ratio, 2), ratio >= 0.6);
      }
    } else {
      const floorP50 = target.operations.find((op) => op.key === "floor")?.load.gateway.c1?.p50 ?? 0;
      for (const operation of target.operations.filter((op) => ["a", "b", "c", "e"].includes(op.key))) {
        const floor = (operation.minimum?.waves ?? 0) * results.options.latencyMs + floorP50;
        const p50 = operation.load.gateway.c1?.p50 ?? Number.NaN;
        row(
          `live (${operation.key}) c=1 p50 ≤ floor + 5 ms`,
          `${ms(p50)} (floor ${ms(floor)})`,
          p50 <= floor + 5,
        );
      }
    }
    const idle = target.idleRssMb.afterStart.gateway;
    row(`${target.name}: idle RSS < 120 MB`, `${fixed(idle, 0)} MB`, idle < 120);
    const peak = target.peakRssMb.gateway;
    row(`${target.name}: peak RSS < 200 MB (VmHWM)`, `${fixed(peak, 0)} MB`, peak < 200);
  }
  if (results.replay) {
    const own = results.replay.gatewayOwnCpuMsPer50Records;
    row(
      `gateway's own cost < ${results.replay.targetMs} ms per 50 records`,
      `${fixed(own, 2)} ms`,
      own < results.replay.targetMs,
    );
  }
  if (results.filters) {
    const paged = results.filters.filter((filter) => !filter.unpaged);
    const kept = paged.filter((filter) => filter.ratio >= 0.8).length;
    row(
      `every filter at ${results.options.scale}× ≥ 0.8 of 1× (paged)`,
      `${kept} of ${paged.length}`,
      kept === paged.length,
    );
  }
  return table(["target", "measured", "met"], rows);
}

/** Upstream requests the fakes received during a server's measured load rounds on a target, all cells. */
function upstreamUnderLoad(target: TargetResult, server: ServerName): number {
  let total = 0;
  for (const operation of target.operations) {
    for (const summary of Object.values(operation.load[server])) {
      total += (summary.upstreamPerRequest ?? Number.NaN) * summary.responses;
    }
  }
  return total;
}

function sectionTitle(target: TargetResult): string {
  if (target.kind === "live") return "Live (the three fakes)";
  if (target.kind === "mirror") return "Mirror (the same fakes, read with `@mirror`)";
  return `Store (${target.name})`;
}

function mirrorLines(target: TargetResult, mirror: MirrorReady): string {
  const served = target.operations
    .map((operation) => `${operation.key}: ${operation.mirrorReads?.join(" + ") || "none"}`)
    .join("; ");
  return [
    `The fakes of the live target, seeded alike, with MIRROR=on (MIRROR_INTERVAL_S=3600: the only sync round is the one at start-up) and a new SQLite store shared by the gateway and the baseline; every query operation sent with \`@mirror(maxAgeSeconds: 86400)\`, mutations left out (a write goes live).`,
    `Before the rounds: every provider SYNCED ${fixed(mirror.waitedSeconds, 1)} s after the gateway answered /health (${mirror.providers.map((provider) => `${provider.provider} ${provider.records} records`).join(", ")}).`,
    `Providers the answers' \`extensions.mirror\` say the mirror served: ${served}. Upstream requests at the fakes during the measured load rounds: gateway ${fixed(upstreamUnderLoad(target, "gateway"), 0)}, baseline ${fixed(upstreamUnderLoad(target, "baseline"), 0)}.`,
  ].join("\n");
}

/** Each operation both targets ran, live beside mirror: the gateway's figures. */
function liveAgainstMirror(live: TargetResult, mirrored: TargetResult): string[] {
  const rows: string[][] = [];
  for (const operation of mirrored.operations) {
    const onLive = live.operations.find((candidate) => candidate.key === operation.key);
    if (!onLive) continue;
    const cells = (result: OperationResult) => {
      const one = result.load.gateway.c1 as Summary;
      const loaded = result.load.gateway.c20 as Summary;
      return {
        requests: againstMinimum(result.upstream?.gateway, (cost) => cost.requests),
        p50: ms(one.p50),
        loadedP50: ms(loaded.p50),
        rate: loaded.requestsPerSecond,
        cpu: fixed(loaded.cpuMsPerRequest, 2),
      };
    };
    const a = cells(onLive);
    const b = cells(operation);
    rows.push([
      operation.title,
      `${a.requests} / ${b.requests}`,
      `${a.p50} / ${b.p50}`,
      `${a.loadedP50} / ${b.loadedP50}`,
      `${fixed(a.rate, 0)} / ${fixed(b.rate, 0)}`,
      fixed(b.rate / a.rate, 1),
      `${a.cpu} / ${b.cpu}`,
    ]);
  }
  return [
    "## Live beside mirror (gateway)",
    "",
    "Each cell: live / mirror; upstream requests per GraphQL request measured alone, the rest as in the tables above.",
    "",
    table(
      [
        "operation",
        "upstream requests",
        "c=1 p50 ms",
        "c=20 p50 ms",
        "c=20 req/s",
        "req/s mirror ÷ live",
        "CPU ms/req",
      ],
      rows,
    ),
    "",
  ];
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, options } = results;
  const parts = [
    "# Benchmark results",
    "",
    `Written by \`npm run bench\` (${options.profile}); how to read it: [docs/performance.md](../docs/performance.md).`,
    "",
    `- Machine: ${machine.cpu}, ${machine.cores} cores; Node ${machine.node}; load average at start ${machine.loadAverageAtStart.join(", ")}`,
    `- Date: ${machine.date}; took ${results.durationSeconds} s`,
    `- Options: fake latency ${options.latencyMs} ms, scale ${options.scale}×, store ${options.store}, ${options.rounds} round(s) of ${options.roundSeconds} s per cell, interleaved gateway / baseline / ceiling`,
    `- Gateway: \`${machine.gatewayCommand}\`, NODE_ENV=production, API key, LOG_LEVEL=info (stdout discarded); baseline: the same with GATEWAY_BATCHING=off; ceiling: plain graphql-yoga answering the captured responses`,
    "",
    "## Targets",
    "",
    targetsTable(results),
    "",
  ];
  for (const target of results.targets) {
    parts.push(`## ${sectionTitle(target)}`, "");
    if (target.mirror) parts.push(mirrorLines(target, target.mirror), "");
    if (target.operations.some((operation) => operation.upstream)) {
      parts.push(
        "Upstream requests and waves per GraphQL request, measured at the fakes (one request at a time):",
        "",
        upstreamTable(target),
        "",
      );
    }
    parts.push(loadTable(target), "");
    const idle = target.idleRssMb.afterStart;
    const differing = target.operations
      .filter((operation) => !operation.ceilingSameBytes)
      .map((operation) => operation.key);
    const compared = target.kind === "mirror" ? " (less the gateway's `extensions`)" : "";
    parts.push(
      `Idle RSS after start: gateway ${fixed(idle.gateway, 0)} MB, baseline ${fixed(idle.baseline, 0)} MB, ceiling ${fixed(idle.ceiling, 0)} MB; process peak (VmHWM): gateway ${fixed(target.peakRssMb.gateway, 0)} MB, baseline ${fixed(target.peakRssMb.baseline, 0)} MB, ceiling ${fixed(target.peakRssMb.ceiling, 0)} MB. Ceiling answers byte-identical to the gateway's${compared}: ${differing.length ? `all but ${differing.join(", ")}` : "all"}.`,
      "",
    );
  }
  const live = results.targets.find((target) => target.kind === "live");
  const mirrored = results.targets.find((target) => target.kind === "mirror");
  if (live && mirrored) parts.push(...liveAgainstMirror(live, mirrored));
  if (results.moneybirdSpecViolations.length) {
    parts.push(
      `Moneybird OpenAPI violations seen by the fake: ${results.moneybirdSpecViolations.length}`,
      "",
    );
  }
  if (results.replay) {
    const { replay } = results;
    parts.push(
      "## Gateway's own cost on a one-call page (fake latency 0)",
      "",
      `${replay.operation}: one upstream call, \`${replay.upstreamCall}\`, ${replay.records} records; concurrency 20.`,
      "",
      table(
        ["server", "req/s", "CPU ms/req", "p50 / p99 ms", "upstream calls/req"],
        (["gateway", "replay"] as const).map((name) => [
          name,
          fixed(replay[name].requestsPerSecond, 0),
          fixed(replay[name].cpuMsPerRequest, 2),
          `${ms(replay[name].p50)} / ${ms(replay[name].p99)}`,
          fixed(replay[name].upstreamPerRequest ?? Number.NaN, 2),
        ]),
      ),
      "",
      `Gateway CPU minus replay CPU: **${fixed(replay.gatewayOwnCpuMsPer50Records, 2)} ms per ${replay.records} records** (target < ${replay.targetMs} ms).`,
      "",
    );
  }
  if (results.memory) {
    const { memory } = results;
    parts.push(
      "## Memory over repeated store rounds",
      "",
      `${memory.operation}, concurrency 20, ${memory.seconds} s a round; RSS after each round:`,
      "",
      table(
        ["round", "req/s", "RSS MB"],
        memory.rounds.map((round) => [
          String(round.round),
          fixed(round.requestsPerSecond, 0),
          fixed(round.rssMb, 0),
        ]),
      ),
      "",
      `After the rounds: ${fixed(memory.idle.afterLoadMb, 0)} MB; after ${memory.idle.pauseSeconds} s idle: ${fixed(memory.idle.afterPauseMb, 0)} MB; process peak ${fixed(memory.peakMb, 0)} MB.`,
      "",
    );
  }
  if (results.filters) {
    parts.push(
      `## Store filters at 1× and ${options.scale}× data`,
      "",
      `Concurrency 20; ratio = ${options.scale}×'s req/s ÷ 1×'s (target ≥ 0.8; an unpaged list's answer grows with the data).`,
      "",
      table(
        ["filter", "1× req/s", `${options.scale}× req/s`, "ratio", `1× / ${options.scale}× p99 ms`, "errors"],
        results.filters.map((filter) => [
          `\`${filter.title}\`${filter.unpaged ? " (unpaged)" : ""}`,
          fixed(filter.oneX.requestsPerSecond, 0),
          fixed(filter.scaled.requestsPerSecond, 0),
          `${fixed(filter.ratio, 2)}${filter.unpaged ? "" : filter.ratio >= 0.8 ? " ✓" : " ✗"}`,
          `${ms(filter.oneX.p99)} / ${ms(filter.scaled.p99)}`,
          String(filter.oneX.errors + filter.scaled.errors),
        ]),
      ),
      "",
    );
  }
  return `${parts.join("\n")}\n`;
}

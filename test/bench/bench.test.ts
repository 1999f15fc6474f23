import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchResults } from "../../bench/report.ts";

/**
 * `npm run bench` must not rot: its smoke mode (op (a) on the fakes and from their mirror, one short round each) runs
 * and writes its results in the expected shape, with the upstream counts the stated minimums.
 * No timing is asserted: the bench is a program, not a test of speed.
 */

const out = mkdtempSync(join(tmpdir(), "bench-smoke-"));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe("npm run bench --smoke", () => {
  it("writes results.md and results.json, and op (a) costs its stated minimum upstream", {
    timeout: 120_000,
  }, async () => {
    const root = new URL("../..", import.meta.url).pathname;
    await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "bench/main.ts", "--smoke", "--source", "--out", out],
      {
        cwd: root,
        timeout: 170_000,
      },
    );
    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8")) as BenchResults;
    expect(readFileSync(join(out, "results.md"), "utf8")).toContain("# Benchmark results");
    expect(results.machine).toMatchObject({ cores: expect.any(Number), node: process.version });
    const [live] = results.targets;
    expect(live?.name).toBe("live");
    const [operation] = live?.operations ?? [];
    expect(operation?.key).toBe("a");
    expect(operation?.ceilingSameBytes).toBe(true);
    for (const server of ["gateway", "baseline", "ceiling"] as const) {
      for (const concurrency of ["c1", "c20"]) {
        expect(operation?.load[server][concurrency]).toMatchObject({
          responses: expect.any(Number),
          errors: 0,
          p50: expect.any(Number),
          p99: expect.any(Number),
          requestsPerSecond: expect.any(Number),
          cpuMsPerRequest: expect.any(Number),
          peakRssMb: expect.any(Number),
        });
      }
    }
    const minimum = operation?.minimum;
    for (const cost of operation?.upstream?.gateway ?? []) {
      expect({ requests: cost.requests, waves: cost.waves }).toEqual({
        requests: minimum?.requests,
        waves: minimum?.waves,
      });
    }
    // Batching off, each company's entries are a request of their own: the N+1 the loaders save.
    expect(operation?.upstream?.baseline[0]?.requests).toBe(1 + 100);
    // The same operation read from the mirror: from Productive's mirror, without one upstream request.
    const mirror = results.targets.find((target) => target.kind === "mirror");
    const [mirrored] = mirror?.operations ?? [];
    expect(mirrored?.key).toBe("a");
    expect(mirrored?.mirrorReads).toEqual(["PRODUCTIVE"]);
    expect(mirrored?.upstream?.gateway.length).toBeGreaterThan(0);
    for (const cost of mirrored?.upstream?.gateway ?? []) expect(cost.requests).toBe(0);
    expect(results.moneybirdSpecViolations).toEqual([]);
  });
});

import { execFile } from "node:child_process";
import { once } from "node:events";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useGatewayProcesses } from "../support/gateway-process.ts";

/**
 * The production start: src/ compiled by tsc with tsconfig.build.json (`npm run build`) and run by
 * plain node, without tsx (`npm run start:prod`). Built once for the file into a temporary folder
 * laid out as a deployment is (package.json, dist/, node_modules), so that a run never races another
 * over the repository's own dist/.
 */

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSC = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const BUILD_TIMEOUT_MS = 120_000;

let deployment: string;
let main: string;

beforeAll(async () => {
  deployment = mkdtempSync(join(tmpdir(), "gateway-dist-"));
  copyFileSync(join(ROOT, "package.json"), join(deployment, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(deployment, "node_modules"), "dir");
  // --noCheck emits the same files as npm run build, in a fifth of the time: types are npm run
  // typecheck's to check, and CI runs the full npm run build.
  await promisify(execFile)(process.execPath, [
    TSC,
    "-p",
    join(ROOT, "tsconfig.build.json"),
    "--noCheck",
    "--outDir",
    join(deployment, "dist"),
  ]);
  main = join(deployment, "dist", "main.js");
}, BUILD_TIMEOUT_MS);

afterAll(() => {
  rmSync(deployment, { recursive: true, force: true });
});

const start = useGatewayProcesses();

describe("the production start (node dist/main.js)", () => {
  it("emits JavaScript whose relative imports all name .js files", () => {
    const files = readdirSync(join(deployment, "dist"), { recursive: true, encoding: "utf8" });
    expect(files).toContain("main.js");
    expect(files.filter((file) => file.endsWith(".ts"))).toEqual([]);
    for (const file of files.filter((name) => name.endsWith(".js"))) {
      const source = readFileSync(join(deployment, "dist", file), "utf8");
      expect(source, file).not.toMatch(/from "\.{1,2}\/[^"]*\.ts"|import\("\.{1,2}\/[^"]*\.ts"\)/);
    }
  });

  it("serves queries and GraphiQL from the embedded store, and exits 0 on SIGTERM", {
    timeout: 30_000,
  }, async () => {
    const { child, url, output } = start([main], { STORE_URL: ":memory:" }, { cwd: deployment });
    const endpoint = await url;

    const response = await fetch(endpoint, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "{ companies(first: 1) { totalCount } providers { backend } }" }),
    });
    const body = (await response.json()) as {
      data: { companies: { totalCount: number }; providers: { backend: string }[] };
    };
    expect(body.data.companies.totalCount).toBeGreaterThanOrEqual(200);
    expect(body.data.providers.map(({ backend }) => backend)).toEqual(["STORE", "STORE", "STORE"]);

    // GraphiQL's bundle is imported on this first request: it resolves from dist/ too.
    const page = await fetch(endpoint, { headers: { accept: "text/html", "accept-encoding": "br" } });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-encoding")).toBe("br");
    // fetch decodes the body it received; the header says what travelled.
    expect(await page.text()).toContain("<title>Contacts gateway</title>");

    child.kill("SIGTERM");
    expect((await once(child, "exit"))[0]).toBe(0);
    expect(output()).toMatch(/SIGTERM: finishing in-flight requests[\s\S]*closed/);
  });

  it("prints its usage and configuration with --help", async () => {
    const { child, output } = start([main, "--help"], {}, { cwd: deployment });
    expect((await once(child, "exit"))[0]).toBe(0);
    expect(output()).toMatch(/^Usage: npm start .*\n {7}npm run start:prod /);
    expect(output()).toMatch(/^ {2}STORE_URL +\.\/data\/gateway\.sqlite /m);
  });
});

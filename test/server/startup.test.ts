import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CONFIG_VARIABLES } from "../../src/config.ts";

/**
 * Start-up failures of the real process: each exits 1 within seconds with one line on stderr naming
 * the variable. Every run gets a temporary working directory, so no developer's .env leaks in.
 */

const MAIN = fileURLToPath(new URL("../../src/main.ts", import.meta.url));
// By file URL: the temporary working directory cannot resolve the bare name "tsx".
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
const RUN_TIMEOUT_MS = 15_000;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function temporaryDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "gateway-startup-"));
  dirs.push(dir);
  return dir;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the gateway to its exit, killed after RUN_TIMEOUT_MS (a hang then fails on its exit code). */
async function run(
  env: Record<string, string>,
  { args = [], cwd = temporaryDir() }: { args?: string[]; cwd?: string } = {},
): Promise<Run> {
  const child = spawn(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", STORE_URL: ":memory:", ...env },
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr.on("data", (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  const [code] = await once(child, "exit");
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** Expects a refusal: exit code 1 and exactly `lines` on stderr, no stack. */
function expectRefusal({ code, stderr }: Run, ...lines: RegExp[]): void {
  expect(code, stderr).toBe(1);
  expect(stderr.trimEnd().split("\n")).toEqual(lines.map((line) => expect.stringMatching(line)));
}

describe("a start-up failure", () => {
  it("lists each bad variable on its own line", { timeout: 20_000 }, async () => {
    expectRefusal(
      await run({ PORT: "http", MAX_DEPTH: "deep" }),
      /^Invalid configuration: PORT: /,
      /^Invalid configuration: MAX_DEPTH: /,
    );
  });

  it("names STORE_URL when a folder of its path cannot be created (it used to hang)", {
    timeout: 20_000,
  }, async () => {
    expectRefusal(
      await run({ STORE_URL: "/proc/nope/x.db" }),
      /^Cannot start: STORE_URL=\/proc\/nope\/x\.db: cannot create the folder \/proc\/nope \(ENOENT\)$/,
    );
  });

  it("names STORE_URL when a file stands where its folder should be", { timeout: 20_000 }, async () => {
    const file = join(temporaryDir(), "file");
    writeFileSync(file, "");
    expectRefusal(
      await run({ STORE_URL: join(file, "x.db") }),
      /^Cannot start: STORE_URL=.*: .*file is a file, not a folder$/,
    );
  });

  it("names STORE_URL when SQLite cannot open it", { timeout: 20_000 }, async () => {
    // A folder, and a location nobody may create files in (not even root).
    expectRefusal(
      await run({ STORE_URL: temporaryDir() }),
      /^Cannot start: STORE_URL=.*: cannot open it as a SQLite store \(SQLITE_CANTOPEN: /,
    );
    expectRefusal(
      await run({ STORE_URL: "/proc/x.db" }),
      /^Cannot start: STORE_URL=\/proc\/x\.db: cannot open it as a SQLite store \(SQLITE_CANTOPEN: /,
    );
  });

  it("names STORE_URL when the file is not a SQLite database", { timeout: 20_000 }, async () => {
    const file = join(temporaryDir(), "notes.txt");
    writeFileSync(file, "not a database, but not empty either");
    expectRefusal(await run({ STORE_URL: file }), /^Cannot start: STORE_URL=.*: .*\(SQLITE_NOTADB: /);
  });

  it("names PORT when the port is in use", { timeout: 20_000 }, async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = taken.address() as { port: number };
      expectRefusal(
        await run({ PORT: String(port) }),
        new RegExp(
          `^Cannot start: PORT=${port}: 127\\.0\\.0\\.1:${port} is already in use \\(EADDRINUSE\\)$`,
        ),
      );
    } finally {
      taken.close();
    }
  });

  it("names HOST when it is no address of this machine, or no host at all", { timeout: 40_000 }, async () => {
    // Off loopback the gateway wants authentication first: these runs must reach listen.
    const anyone = { ALLOW_UNAUTHENTICATED: "true", LOG_LEVEL: "silent" };
    expectRefusal(
      await run({ ...anyone, HOST: "192.0.2.1" }),
      /^Cannot start: HOST=192\.0\.2\.1: not an address of this machine \(EADDRNOTAVAIL\)$/,
    );
    // Without a resolver at hand the lookup fails as EAI_AGAIN rather than ENOTFOUND.
    expectRefusal(
      await run({ ...anyone, HOST: "gateway.invalid" }),
      /^Cannot start: HOST=gateway\.invalid: .* \((ENOTFOUND|EAI_AGAIN)\)$/,
    );
  });
});

describe("--help", () => {
  it.each(["--help", "-h"])(
    "%s prints every variable with its default and starts nothing",
    { timeout: 20_000 },
    async (flag) => {
      // A bad variable would stop start-up: help must not get that far.
      const { code, stdout, stderr } = await run({ PORT: "http" }, { args: [flag] });
      expect(code, stderr).toBe(0);
      expect(stderr).toBe("");
      for (const { name, defaultValue } of CONFIG_VARIABLES) {
        expect(stdout).toMatch(
          new RegExp(`^  ${name} +${(defaultValue || "-").replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} `, "m"),
        );
      }
      expect(stdout).not.toMatch(/Contacts gateway on/);
    },
  );
});

describe("a .env file in the working directory", () => {
  it("is read before the configuration, and the environment wins over it", { timeout: 20_000 }, async () => {
    const cwd = temporaryDir();
    writeFileSync(join(cwd, ".env"), "PRODUCTIVE_BASE_URL=not a url\nMAX_DEPTH=deep\n");
    expectRefusal(await run({ MAX_DEPTH: "12" }, { cwd }), /^Invalid configuration: PRODUCTIVE_BASE_URL: /);
  });

  it("configures a gateway that starts", { timeout: 20_000 }, async () => {
    const cwd = temporaryDir();
    writeFileSync(join(cwd, ".env"), "STORE_URL=./from-dotenv/store.sqlite\n");
    const child = spawn(process.execPath, ["--import", TSX, MAIN], {
      cwd,
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1" },
    });
    try {
      let output = "";
      child.stdout.on("data", (chunk) => {
        output += chunk;
      });
      await expect.poll(() => output, { interval: 50, timeout: 15_000 }).toMatch(/Contacts gateway on http:/);
      expect(existsSync(join(cwd, "from-dotenv", "store.sqlite"))).toBe(true);
    } finally {
      child.kill("SIGKILL");
    }
  });
});

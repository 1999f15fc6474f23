import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";

/** The repository root: children run there, as `npm start` does. */
export const ROOT = fileURLToPath(new URL("..", import.meta.url));

/**
 * How production starts the gateway: `npm run start:prod`'s node arguments (its V8 flags and
 * `npm run build`'s plain-node output, which npm run bench builds first), else, or when asked for,
 * the sources through tsx, as `npm start` does.
 */
export function gatewayArgs(fromSource: boolean): string[] {
  if (fromSource || !existsSync(`${ROOT}dist/main.js`)) return ["--import", "tsx", "src/main.ts"];
  const { scripts } = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as {
    scripts: Record<string, string>;
  };
  const [node, ...args] = (scripts["start:prod"] ?? "").split(" ");
  if (node !== "node" || !args.includes("dist/main.js"))
    throw new Error("start:prod is not `node … dist/main.js`");
  return args;
}

/** The bench's own servers (ceiling, replay) are TypeScript run through tsx. */
export const benchServerArgs = (file: string) => ["--import", "tsx", `bench/${file}`];

const CLOCK_TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

/** A server the bench started as its own process, measured through /proc. */
export interface Child {
  name: string;
  pid: number;
  /** http://127.0.0.1:port */
  origin: string;
  /** User + system CPU time the process has used so far, in ms. */
  cpuMs(): number;
  /** Resident memory now and at its peak (VmRSS, VmHWM), in MB. */
  memory(): { rssMb: number; peakMb: number };
  stop(): Promise<void>;
}

/** A port free right now: the child listens on it (the gateway's log line is not read, stdout is discarded). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

/**
 * Starts `node <args>` with only `env` (plus PATH and HOME: no credential of the developer's shell
 * leaks in) and PORT, and waits until GET /health answers. Stdout is discarded, as a log
 * shipper would take it; stderr is kept for the error message if the child dies.
 */
export async function startChild(name: string, args: string[], env: Record<string, string>): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env, PORT: String(port) },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  const origin = `http://127.0.0.1:${port}`;
  await waitUntilHealthy(name, origin, child, () => stderr);
  const pid = child.pid as number;
  return {
    name,
    pid,
    origin,
    cpuMs: () => cpuMsOf(pid),
    memory: () => memoryOf(pid),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
    },
  };
}

async function waitUntilHealthy(name: string, origin: string, child: ChildProcess, stderr: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited (${child.exitCode}): ${stderr()}`);
    const healthy = await fetch(`${origin}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return;
    await sleep(100);
  }
  child.kill("SIGKILL");
  throw new Error(`${name} did not answer /health within 60 s: ${stderr()}`);
}

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, counted after the parenthesised name). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

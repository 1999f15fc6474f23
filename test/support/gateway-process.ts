import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { afterEach } from "vitest";

export interface GatewayProcess {
  child: ChildProcessWithoutNullStreams;
  /** The GraphQL endpoint, once the process logs that it listens; rejects if it exits first. */
  url: Promise<string>;
  /** Its stdout and stderr so far. */
  output(): string;
}

/**
 * Starts real gateway processes (`node <args>`) on a random loopback port, killed after each test.
 * Only PATH comes from the test's environment, so no developer's settings leak in.
 */
export function useGatewayProcesses(): (
  args: string[],
  env: Record<string, string>,
  options?: { cwd?: string },
) => GatewayProcess {
  const children: ChildProcessWithoutNullStreams[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill("SIGKILL");
  });
  return (args, env, { cwd } = {}) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { PATH: process.env.PATH ?? "", PORT: "0", HOST: "127.0.0.1", ...env },
    });
    children.push(child);
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    const url = new Promise<string>((resolve, reject) => {
      child.stdout.on("data", () => {
        const match = /on (http:\/\/\S+\/graphql)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.on("exit", (code) => reject(new Error(`exited with ${code} before listening:\n${output}`)));
    });
    // A test that expects the process to fail never awaits the url.
    url.catch(() => {});
    return { child, url, output: () => output };
  };
}

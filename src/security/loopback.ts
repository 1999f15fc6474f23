import { isIPv4 } from "node:net";

/**
 * Whether `host` names this machine only (127.0.0.0/8, ::1, localhost): a gateway bound there is
 * reachable from nowhere else, so it may run without authentication in development.
 */
export function isLoopbackHost(host: string): boolean {
  const name = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1");
  if (name === "localhost" || name === "::1") return true;
  return isIPv4(name) && name.startsWith("127.");
}

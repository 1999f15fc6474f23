import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What one GraphQL request allows the upstream work it causes: a deadline, and a signal that
 * aborts when the deadline passes or the client goes away. It travels with the request's async
 * context (loaders batch within it), so every upstream call and every wait for the rate budget
 * sees it without the ports taking it as an argument.
 */
export interface RequestScope {
  signal: AbortSignal;
  /** Epoch milliseconds. */
  deadlineAt: number;
}

const scopes = new AsyncLocalStorage<RequestScope>();

/** A scope for `timeoutMs` from now, ending early when `signal` (the client's request) aborts. */
export function requestScope(timeoutMs: number, signal?: AbortSignal): RequestScope {
  const timeout = AbortSignal.timeout(timeoutMs);
  return {
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    deadlineAt: Date.now() + timeoutMs,
  };
}

export function runInScope<T>(scope: RequestScope, work: () => T): T {
  return scopes.run(scope, work);
}

/**
 * The scope of the GraphQL request this code runs for; outside any (a start-up probe), one of
 * `fallbackMs` from now.
 */
export function currentScope(fallbackMs: number): RequestScope {
  return scopes.getStore() ?? requestScope(fallbackMs);
}

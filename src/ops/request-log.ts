import { type ExecutionResult, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { activeScope, type RequestScope } from "../http/request-scope.ts";
import type { Logger } from "./logger.ts";
import { REQUEST_ID_HEADER } from "./request-id.ts";
import { roundMs } from "./upstream-log.ts";

/** What is known of a GraphQL request so far, gathered as it goes through yoga's hooks. */
interface RequestRecord {
  startedAt: number;
  operationName: string | null;
  operationType: string | null;
  errorCodes: Set<string>;
}

/** What is known of a GraphQL request once its response is ready: what its log line, metrics and span report. */
export interface FinishedRequest {
  requestId: string | null;
  /** Null when the request never got as far (a body that is not JSON, a document that does not parse). */
  operationName: string | null;
  operationType: string | null;
  durationMs: number;
  /** The HTTP status of the response. */
  status: number;
  /** The distinct `extensions.code`s of the response's errors. */
  errorCodes: string[];
  upstreamCalls: RequestScope["upstreamCalls"];
}
export type FinishedRequestObserver = (request: FinishedRequest) => void;

/**
 * Returns the request id (from the request scope, which src/gateway.ts opens around each request)
 * as `x-request-id`, and hands every request to `endpoint`, once its response is ready, to each of
 * `observers`: its id, operation, duration, HTTP status, error codes and upstream calls.
 */
export function useRequestObservers(endpoint: string, observers: FinishedRequestObserver[]): Plugin {
  const records = new WeakMap<RequestScope, RequestRecord>();
  const recordOf = () => {
    const scope = activeScope();
    return scope && records.get(scope);
  };
  return {
    onRequest({ url }) {
      const scope = activeScope();
      if (!scope || url.pathname !== endpoint) return;
      records.set(scope, {
        startedAt: performance.now(),
        operationName: null,
        operationType: null,
        errorCodes: new Set(),
      });
    },
    onParams({ params }) {
      const record = recordOf();
      if (record) record.operationName = params.operationName ?? null;
    },
    onExecute({ args }) {
      const record = recordOf();
      const operation = getOperationAST(args.document, args.operationName);
      if (!record || !operation) return;
      record.operationType = operation.operation;
      record.operationName ??= operation.name?.value ?? null;
    },
    onResultProcess({ result }) {
      const record = recordOf();
      if (!record || Symbol.asyncIterator in result) return;
      for (const single of Array.isArray(result) ? result : [result as ExecutionResult]) {
        for (const error of single.errors ?? []) {
          const code = error.extensions?.code;
          if (typeof code === "string") record.errorCodes.add(code);
        }
      }
    },
    onResponse({ response }) {
      const scope = activeScope();
      if (!scope?.requestId) return;
      response.headers.set(REQUEST_ID_HEADER, scope.requestId);
      const record = records.get(scope);
      if (!record) return;
      const finished: FinishedRequest = {
        requestId: scope.requestId,
        operationName: record.operationName,
        operationType: record.operationType,
        durationMs: performance.now() - record.startedAt,
        status: response.status,
        errorCodes: [...record.errorCodes],
        upstreamCalls: scope.upstreamCalls,
      };
      for (const observe of observers) observe(finished);
    },
  };
}

/** One log line per request (docs/operations.md § One line per GraphQL request). */
export function logRequest(logger: Logger): FinishedRequestObserver {
  return (request) =>
    logger.info(
      {
        requestId: request.requestId,
        operationName: request.operationName,
        operationType: request.operationType,
        durationMs: roundMs(request.durationMs),
        status: request.status,
        errorCodes: request.errorCodes,
        upstream: Object.fromEntries(
          [...request.upstreamCalls].map(([provider, tally]) => [
            provider,
            { calls: tally.calls, durationMs: roundMs(tally.durationMs) },
          ]),
        ),
      },
      "graphql request",
    );
}

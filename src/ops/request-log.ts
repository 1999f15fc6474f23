import { type ExecutionResult, getOperationAST } from "graphql";
import type { Plugin } from "graphql-yoga";
import { activeScope, type RequestScope } from "../http/request-scope.ts";
import type { Logger } from "./logger.ts";
import { REQUEST_ID_HEADER } from "./request-id.ts";
import { roundMs } from "./upstream-log.ts";

/** What one GraphQL request's log line says, gathered as the request goes through yoga's hooks. */
interface RequestRecord {
  startedAt: number;
  operationName: string | null;
  operationType: string | null;
  errorCodes: Set<string>;
}

/**
 * Returns the request id (from the request scope, which src/gateway.ts opens around each request)
 * as `x-request-id`, and logs one line per request to `endpoint`: its id, operation, duration,
 * HTTP status, error codes and upstream calls by provider.
 */
export function useRequestLog(logger: Logger, endpoint: string): Plugin {
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
      logger.info(
        {
          requestId: scope.requestId,
          operationName: record.operationName,
          operationType: record.operationType,
          durationMs: roundMs(performance.now() - record.startedAt),
          status: response.status,
          errorCodes: [...record.errorCodes],
          upstream: Object.fromEntries(
            [...scope.upstreamCalls].map(([provider, tally]) => [
              provider,
              { calls: tally.calls, durationMs: roundMs(tally.durationMs) },
            ]),
          ),
        },
        "graphql request",
      );
    },
  };
}

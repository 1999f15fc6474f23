import { randomUUID } from "node:crypto";

export const REQUEST_ID_HEADER = "x-request-id";

/** Longer ids are refused: the id is copied into every log line and upstream request. */
const MAX_REQUEST_ID_LENGTH = 128;
/** Nothing that could break a log line or a header, or smuggle markup into a log viewer. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._-]+$/;

/**
 * The id a request goes by: the client's own (so its logs and ours line up) when bounded and
 * plain, else a new one.
 */
export function requestIdOf(request: Request): string {
  const given = request.headers.get(REQUEST_ID_HEADER);
  if (given && given.length <= MAX_REQUEST_ID_LENGTH && SAFE_REQUEST_ID.test(given)) return given;
  return randomUUID();
}

import type { z } from "zod";
import type { Provider, RecordKind } from "../domain/index.ts";
import {
  BadUserInputError,
  type FieldError,
  NotFoundError,
  UpstreamError,
  ValidationError,
} from "../errors.ts";
import { type UpstreamResponse, unexpectedStatus } from "./upstream-client.ts";

/** The record a write addresses: the provider saying it does not exist becomes this `NotFoundError`. */
export interface Target {
  kind: RecordKind;
  id: string;
}

/** How a provider words a refused write: its error body, and the input fields the body names. */
export interface RefusalBody<Body> {
  schema: z.ZodType<Body>;
  fieldErrors(body: Body): FieldError[];
}

/**
 * Why a write failed, for a provider that answers the usual way: 404 is the addressed record
 * missing, 400 and 422 with a readable error body are invalid input, anything else is a status the
 * adapter cannot explain.
 */
export function writeFailure<Body>(
  provider: Provider,
  response: UpstreamResponse,
  what: string,
  target: Target | null,
  refusal: RefusalBody<Body>,
): Error {
  if (response.status === 404 && target) return new NotFoundError(target.kind, target.id);
  if (response.status === 422 || response.status === 400) {
    const body = refusal.schema.safeParse(response.body);
    if (body.success) return new ValidationError(refusal.fieldErrors(body.data));
  }
  return unexpectedStatus(provider, response, what, "write");
}

/**
 * Reads what a write that landed produced: its answer, or the record read back after it. A failure
 * here must not look like a failed write, which a client would send again: it becomes an
 * `UpstreamError` that says the write landed (`writeLanded`).
 */
export async function readAfterWrite<T>(
  provider: Provider,
  what: string,
  read: () => T | Promise<T>,
): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof UpstreamError) throw error.afterLandedWrite(what);
    // The record vanishing, or a read the provider refused, right after the write: still an upstream failure.
    if (error instanceof NotFoundError || error instanceof BadUserInputError) {
      throw new UpstreamError(provider, "BAD_RESPONSE", error.message).afterLandedWrite(what);
    }
    throw error;
  }
}

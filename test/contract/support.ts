import { afterEach, beforeEach, expect } from "vitest";
import type { Page, PageRequest, RecordKind } from "../../src/domain/index.ts";
import { type FieldError, NotFoundError, ValidationError } from "../../src/errors.ts";

/** An id no backend under contract holds (the suite starts every test from an empty backend). */
export const MISSING_ID = "987654321";

/** Sets up an empty backend before every test and closes it after; call the returned function in a test. */
export function freshBackendPerTest<Backend extends { close(): Promise<void> }>(
  setup: () => Promise<Backend>,
): () => Backend {
  let backend: Backend | undefined;
  beforeEach(async () => {
    backend = await setup();
  });
  afterEach(async () => {
    await backend?.close();
    backend = undefined;
  });
  return () => {
    if (!backend) throw new Error("the backend is set up only inside a test");
    return backend;
  };
}

/** Instants safely before and after anything a test creates. */
export const longAgo = () => new Date(Date.now() - 3_600_000).toISOString();
export const farAhead = () => new Date(Date.now() + 3_600_000).toISOString();

/**
 * Walks a list to its end with a small page size, checking what every backend owes a client:
 * full pages until the last, `hasNextPage` false at the end and nothing after it, no record
 * twice, and `totalCount`, when known, equal to what the walk saw.
 */
export async function walkPages<T extends { id: string }>(
  listPage: (page: PageRequest) => Promise<Page<T>>,
  limit: number,
): Promise<T[]> {
  const items: T[] = [];
  const totals: (number | null)[] = [];
  for (let offset = 0; ; offset += limit) {
    const page = await listPage({ offset, limit });
    items.push(...page.items);
    totals.push(page.totalCount);
    if (!page.hasNextPage) break;
    expect(page.items).toHaveLength(limit);
    expect(offset).toBeLessThan(10_000);
  }
  expect((await listPage({ offset: items.length, limit })).items).toEqual([]);
  expect(new Set(items.map((item) => item.id)).size).toBe(items.length);
  for (const total of totals) if (total !== null) expect(total).toBe(items.length);
  return items;
}

export async function listAll<T extends { id: string }>(
  listPage: (page: PageRequest) => Promise<Page<T>>,
): Promise<T[]> {
  return walkPages(listPage, 100);
}

/** The ids of a list, sorted, to compare sets of records. */
export const idsOf = (items: { id: string }[]) => items.map((item) => item.id).sort();

async function validationErrorOf(write: Promise<unknown>): Promise<ValidationError> {
  const error = await write.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

/** The exact field errors, in any order. */
export async function expectValidationError(
  write: Promise<unknown>,
  fieldErrors: FieldError[],
): Promise<void> {
  const error = await validationErrorOf(write);
  const sortKey = (e: FieldError) => `${e.path.join(".")}:${e.message}`;
  expect([...error.fieldErrors].sort((a, b) => sortKey(a).localeCompare(sortKey(b)))).toEqual(
    [...fieldErrors].sort((a, b) => sortKey(a).localeCompare(sortKey(b))),
  );
}

/** Field errors on these paths, whatever the provider's wording. */
export async function expectValidationPaths(write: Promise<unknown>, paths: string[][]): Promise<void> {
  expect((await validationErrorOf(write)).fieldErrors.map((e) => e.path)).toEqual(paths);
}

export async function expectNotFound(
  write: Promise<unknown>,
  kind: RecordKind,
  remoteId: string,
): Promise<void> {
  const error = await write.then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(NotFoundError);
  expect(error).toMatchObject({ kind, remoteId });
}

/** Whether `values` is ordered by `compare` (ties allowed). */
export function expectOrdered<T>(values: T[], compare: (a: T, b: T) => number): void {
  const sorted = [...values].sort(compare);
  expect(values).toEqual(sorted);
}

export const byInstant = (a: string | null, b: string | null) => Date.parse(a ?? "") - Date.parse(b ?? "");
export const byFoldedText = (a: string, b: string) =>
  a.toLowerCase() < b.toLowerCase() ? -1 : a.toLowerCase() > b.toLowerCase() ? 1 : 0;
export const byNumericId = (a: string, b: string) =>
  BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0;

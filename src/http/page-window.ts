import type { PageRequest } from "../domain/common.ts";

/** The upstream pages (numbered from 1, all of `size` records) that serve an offset window. */
export interface PagesCovering {
  size: number;
  first: number;
  count: 1 | 2;
  /** Where the window starts in the records of those pages. */
  skip: number;
}

/**
 * Maps the ports' offset window [offset, offset + limit) onto page-number pagination: one page
 * when some page size up to `maxPageSize` holds the window whole (an upstream call saved is worth
 * a few records too many), otherwise the two pages of size `limit` that cover it.
 */
export function pagesCovering({ offset, limit }: PageRequest, maxPageSize: number): PagesCovering {
  // A zero limit still asks for one record, so the answer carries the count and the next link.
  const wanted = Math.max(limit, 1);
  const last = offset + wanted - 1;
  for (let size = wanted; size <= maxPageSize; size++) {
    const page = Math.floor(offset / size);
    if (page === Math.floor(last / size))
      return { size, first: page + 1, count: 1, skip: offset - page * size };
  }
  const page = Math.floor(offset / wanted);
  return { size: wanted, first: page + 1, count: 2, skip: offset - page * wanted };
}

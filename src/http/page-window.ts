import type { Page, PageRequest } from "../domain/common.ts";

/** The upstream pages (numbered from 1, all of `size` records) that serve an offset window. */
interface PagesCovering {
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
function pagesCovering({ offset, limit }: PageRequest, maxPageSize: number): PagesCovering {
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

/** One upstream page of a list: its records, whether a page follows, and the list's total when the upstream tells it. */
export interface UpstreamPage<T> {
  records: T[];
  hasNextPage: boolean;
  totalCount: number | null;
}

/**
 * The ports' offset window of a list, read from the pages that cover it (`pagesCovering`); the
 * second page is not asked for when the first is the last.
 */
export async function readPageWindow<T>(
  window: PageRequest,
  maxPageSize: number,
  fetchPage: (number: number, size: number) => Promise<UpstreamPage<T>>,
): Promise<Page<T>> {
  const { size, first, count, skip } = pagesCovering(window, maxPageSize);
  let last = await fetchPage(first, size);
  const records = [...last.records];
  if (count === 2 && last.hasNextPage) {
    last = await fetchPage(first + 1, size);
    records.push(...last.records);
  }
  const end = skip + window.limit;
  return {
    items: records.slice(skip, end),
    hasNextPage:
      last.totalCount === null
        ? records.length > end || last.hasNextPage
        : window.offset + window.limit < last.totalCount,
    totalCount: last.totalCount,
  };
}

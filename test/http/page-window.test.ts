import { describe, expect, it } from "vitest";
import { readPageWindow, type UpstreamPage } from "../../src/http/page-window.ts";

/** An upstream list of `total` numbered records that pages by number and size, and the pages asked for. */
function upstream(total: number, { tellsTotal }: { tellsTotal: boolean }) {
  const asked: [number, number][] = [];
  const fetchPage = async (number: number, size: number): Promise<UpstreamPage<number>> => {
    asked.push([number, size]);
    const records = Array.from({ length: total }, (_, i) => i).slice((number - 1) * size, number * size);
    return { records, hasNextPage: number * size < total, totalCount: tellsTotal ? total : null };
  };
  return { asked, fetchPage };
}

describe("readPageWindow", () => {
  it("reads a window one page holds with one request", async () => {
    const { asked, fetchPage } = upstream(50, { tellsTotal: true });
    const page = await readPageWindow({ offset: 6, limit: 3 }, 100, fetchPage);
    expect(page).toEqual({ items: [6, 7, 8], hasNextPage: true, totalCount: 50 });
    expect(asked).toEqual([[3, 3]]);
  });

  it("reads the two pages that cover a window no allowed page size holds", async () => {
    const { asked, fetchPage } = upstream(50, { tellsTotal: false });
    expect(await readPageWindow({ offset: 2, limit: 3 }, 3, fetchPage)).toEqual({
      items: [2, 3, 4],
      hasNextPage: true,
      totalCount: null,
    });
    expect(asked).toEqual([
      [1, 3],
      [2, 3],
    ]);
  });

  it("does not ask for the second page when the first is the last", async () => {
    const { asked, fetchPage } = upstream(3, { tellsTotal: false });
    const page = await readPageWindow({ offset: 2, limit: 3 }, 3, fetchPage);
    expect(page).toEqual({ items: [2], hasNextPage: false, totalCount: null });
    expect(asked).toEqual([[1, 3]]);
  });

  it("ends at the last record, by the total when the upstream tells it and by its pages otherwise", async () => {
    for (const tellsTotal of [true, false]) {
      const { fetchPage } = upstream(20, { tellsTotal });
      expect((await readPageWindow({ offset: 10, limit: 10 }, 100, fetchPage)).hasNextPage).toBe(false);
      expect((await readPageWindow({ offset: 9, limit: 10 }, 100, fetchPage)).hasNextPage).toBe(true);
    }
  });
});

/** The three providers' ids are decimal integers: any other string names no record, and is not worth a request. */
export const isIntegerId = (id: string) => /^\d+$/.test(id);

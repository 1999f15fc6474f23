/** The comparison key of case-insensitive filters, sorts and uniqueness rules. */
export const foldCase = (value: string) => value.toLocaleLowerCase("en");

/** Unset, not a string, or only white space: what the upstreams' "can't be blank" rules refuse. */
export const isBlank = (value: unknown) => typeof value !== "string" || value.trim() === "";

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;
export const isEmail = (value: string) => EMAIL.test(value);

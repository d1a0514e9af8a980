import { describe, expect, it } from "vitest";
import { QueryError, evaluateQuery } from "./query.ts";

describe("the fake az's --query subset", () => {
  const data = [
    { appId: "a1", tags: ["x"], p: { q: 1 } },
    { appId: "a2", tags: [], p: { q: 2 } },
  ];
  it("reads an indexed field", () => expect(evaluateQuery("[0].appId", data)).toBe("a1"));
  it("projects a field over a list", () => expect(evaluateQuery("[].p.q", data)).toEqual([1, 2]));
  it("counts with length(@)", () => expect(evaluateQuery("length(@)", data)).toBe(2));
  it("gives null for a missing path", () => expect(evaluateQuery("[5].appId", data)).toBeNull());
  it("fails loudly on filters it does not support", () =>
    expect(() => evaluateQuery("[?appId=='a1']", data)).toThrow(QueryError));
});

import { describe, expect, it } from "vitest";
import { QueryError, evaluateQuery } from "./query.ts";

describe("the fake az's --query (JMESPath)", () => {
  const data = [
    { appId: "a1", name: "x", id: "/i/1", tags: ["x"], p: { q: 1 } },
    { appId: "a2", name: "y", id: "/i/2", tags: [], p: { q: 2 } },
  ];
  it("reads an indexed field", () => expect(evaluateQuery("[0].appId", data)).toBe("a1"));
  it("projects a field over a list", () => expect(evaluateQuery("[].p.q", data)).toEqual([1, 2]));
  it("counts with length(@)", () => expect(evaluateQuery("length(@)", data)).toBe(2));
  it("gives null for a missing path", () => expect(evaluateQuery("[5].appId", data)).toBeNull());
  it("filters, then pipes into an index, as the real CLI does", () =>
    expect(evaluateQuery("[?name=='x'].id | [0]", data)).toBe("/i/1"));
  it("filters with a function in the condition", () =>
    expect(evaluateQuery("[?length(tags) > `0`].appId", data)).toEqual(["a1"]));
  it("builds a multiselect hash", () =>
    expect(evaluateQuery("[].{app: appId, q: p.q}", data)).toEqual([
      { app: "a1", q: 1 },
      { app: "a2", q: 2 },
    ]));
  it("fails on a malformed query with an error that names it", () => {
    expect(() => evaluateQuery("[?appId=='a1'", data)).toThrow(QueryError);
    expect(() => evaluateQuery("[?appId=='a1'", data)).toThrow("'[?appId=='a1''");
  });
});

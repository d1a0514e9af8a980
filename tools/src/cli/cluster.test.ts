import { describe, expect, it } from "vitest";
import { parseClusterArgs } from "./cluster.ts";

describe("cluster command line", () => {
  it("accepts a command and an optional provider", () => {
    expect(parseClusterArgs(["up"])).toEqual({ command: "up", provider: undefined });
    expect(parseClusterArgs(["down", "--provider", "kind"])).toEqual({ command: "down", provider: "kind" });
  });

  it("rejects unknown commands and providers with the usage", () => {
    expect(() => parseClusterArgs(["start"])).toThrow(/Cannot understand 'cluster start'/);
    expect(() => parseClusterArgs(["up", "--provider", "minikube"])).toThrow(/Cannot understand/);
    expect(() => parseClusterArgs([])).toThrow(/Cannot understand/);
  });
});

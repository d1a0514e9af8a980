// The doctor command's argument handling: --help answers usage, options and an example with exit 0;
// bad usage is one line naming the option and the fix, exit 2; a missing kubeconfig cannot run (exit 2).
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { DOCTOR_USAGE, doctorMain, parseDoctorArgs } from "./doctor.ts";

async function main(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await doctorMain(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

describe("npm run doctor arguments", () => {
  it("answers --help with usage, every option and an example, exit 0", async () => {
    for (const flag of ["--help", "-h"]) {
      const r = await main([flag]);
      expect(r.code).toBe(0);
      expect(r.out).toBe(DOCTOR_USAGE);
    }
    for (const option of ["--release", "--namespace", "--config", "--json", "--kubeconfig", "--context", "--help"]) expect(DOCTOR_USAGE).toContain(option);
    expect(DOCTOR_USAGE).toMatch(/Example:\n {2}npm run doctor -- --release \S+ --namespace \S+/);
  });

  it("refuses an unknown option in one line naming it and the fix, exit 2", async () => {
    const r = await main(["--release", "data", "--namespace", "ns", "--colour"]);
    expect(r.code).toBe(2);
    expect(r.err.split("\n")).toEqual(["doctor: unknown option --colour; run npm run doctor -- --help for the options."]);
    expect(r.out).toBe("");
  });

  it("names a missing value and a missing required option, exit 2", async () => {
    expect((await main(["--namespace"])).err).toBe("doctor: --namespace needs a value, e.g. --namespace blob-fuse.");
    const r = await main(["--namespace", "ns"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^doctor: --release is required/);
    expect(r.err.split("\n")).toHaveLength(1);
  });

  it("parses every option", () => {
    expect(parseDoctorArgs(["-r", "data", "-n", "ns", "-c", "b.yaml", "--json", "--kubeconfig", "k", "--context", "c"])).toEqual({
      help: false, release: "data", namespace: "ns", config: "b.yaml", json: true, kubeconfig: "k", context: "c",
    });
    expect(() => parseDoctorArgs(["extra"])).toThrow(ToolError);
  });

  it("cannot run without a readable kubeconfig: exit 2 with the fix", async () => {
    const r = await main(["--release", "data", "--namespace", "ns", "--kubeconfig", "/nonexistent/kubeconfig"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("Cannot read the kubeconfig /nonexistent/kubeconfig");
    expect(r.err).toContain("Hint: Pass --kubeconfig");
  });
});

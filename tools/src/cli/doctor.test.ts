// `ctv doctor` wired to the real tools/src/doctor: a doctor that cannot run (no readable kubeconfig)
// exits 2 with the fix; a release's checks are covered in tools/src/doctor and test/e2e/doctor.test.ts.
import { describe, expect, it } from "vitest";
import { bufferStreams } from "../output/io.ts";
import { runCli } from "./command.ts";
import { buildProgram } from "./program.ts";

async function ctv(args: string[]) {
  const io = bufferStreams();
  const code = await runCli(buildProgram(io), args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe("ctv doctor", () => {
  it("cannot run without a readable kubeconfig: exit 2 with the fix", async () => {
    const r = await ctv([
      "doctor",
      "--release",
      "data",
      "--namespace",
      "ns",
      "--config",
      "/nonexistent/bootstrap.yaml",
      "--kubeconfig",
      "/nonexistent/kubeconfig",
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Cannot read|does not exist|not found/i);
    expect(r.stderr).toContain("Hint:");
  });
});

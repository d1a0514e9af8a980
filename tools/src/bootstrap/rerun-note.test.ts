// A bootstrap that stops part-way says once that running it again continues: the note is added to an error whose
// hint does not say so yet (ToolError.hintSaysRerun), never by reading the hint's text, and never twice.
import { describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../azsim/harness.ts";
import { ToolError } from "../errors.ts";
import { runBootstrap } from "./index.ts";

async function failure(faults: Parameters<typeof createSimulatedAzure>[0]): Promise<ToolError> {
  const sim = createSimulatedAzure(faults);
  const err = await runBootstrap(sim.writeConfig("blob-fuse-wi"), {
    env: sim.env,
    runner: sim.inProcessRunner,
    retryBaseMs: 1,
    write: () => undefined,
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
}

const NOTE = "run the same command again and it continues where it stopped";

describe("the bootstrap's rerun note", () => {
  it("is added to a failure whose hint does not say it yet", async () => {
    const e = await failure({ faults: { denyAppCreate: true } });
    expect(e.code).toBe("PERMISSION_DENIED");
    expect(e.hintSaysRerun).toBe(true);
    expect(e.hint?.split(NOTE)).toHaveLength(2);
  });

  it("is not added again to an az that was killed mid-way (its own hint says to run again)", async () => {
    const e = await failure({ faults: { crashAtMutation: 1 } });
    expect(e.hintSaysRerun).toBe(true);
    expect(e.hint).toMatch(/killed mid-way\. Run the same command again/);
    expect(e.hint).not.toContain(NOTE);
  });
});

import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import { runSteps, type Step } from "./steps.ts";

/** Steps that record what ran, in order; `fail` names the step whose readiness check throws. */
function recorded(names: string[], fail?: { step: string; error: Error; in?: "start" | "ready" }) {
  const events: string[] = [];
  const steps: Step[] = names.map((name) => ({
    name,
    start: () => {
      events.push(`start ${name}`);
      if (fail?.step === name && fail.in === "start") throw fail.error;
    },
    ready: async () => {
      events.push(`ready ${name}`);
      if (fail?.step === name && fail.in !== "start") throw fail.error;
    },
    cleanup: () => {
      events.push(`cleanup ${name}`);
    },
  }));
  return { events, steps };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe("runSteps", () => {
  it("starts each step and waits for it to be ready before the next, and cleans up nothing on success", async () => {
    const { events, steps } = recorded(["etcd", "containerd", "kube-apiserver"]);
    await runSteps(steps);
    expect(events).toEqual([
      "start etcd",
      "ready etcd",
      "start containerd",
      "ready containerd",
      "start kube-apiserver",
      "ready kube-apiserver",
    ]);
  });

  it("undoes the failing step and the ones before it, last first, and never starts the later ones", async () => {
    const { events, steps } = recorded(["state", "etcd", "containerd", "kube-apiserver"], {
      step: "containerd",
      error: new Error("no socket"),
    });
    await rejection(runSteps(steps));
    expect(events).toEqual([
      "start state",
      "ready state",
      "start etcd",
      "ready etcd",
      "start containerd",
      "ready containerd",
      "cleanup containerd",
      "cleanup etcd",
      "cleanup state",
    ]);
  });

  it("names the failing step in the error and keeps a ToolError's code and hint", async () => {
    const { steps } = recorded(["etcd", "kubelet"], {
      step: "kubelet",
      error: new ToolError("TIMED_OUT", "Timed out after 180 s waiting for node n1 to become Ready.", "See the logs."),
    });
    const err = await rejection(runSteps(steps));
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({
      code: "TIMED_OUT",
      message: 'Start-up step "kubelet" failed: Timed out after 180 s waiting for node n1 to become Ready.',
      hint: "See the logs.",
    });
  });

  it("names the step for an unknown error too, keeping the original as the cause", async () => {
    const original = new TypeError("x is undefined");
    const { steps } = recorded(["etcd"], { step: "etcd", error: original, in: "start" });
    const err = await rejection(runSteps(steps));
    expect(err).not.toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ message: 'Start-up step "etcd" failed: x is undefined', cause: original });
  });

  it("runs every cleanup even when one fails, and reports both failures", async () => {
    const { events, steps } = recorded(["state", "etcd", "containerd"], {
      step: "containerd",
      error: new Error("no socket"),
    });
    steps[1]!.cleanup = () => {
      events.push("cleanup etcd");
      throw new Error("etcd would not stop");
    };
    const err = await rejection(runSteps(steps));
    expect(events.filter((e) => e.startsWith("cleanup"))).toEqual([
      "cleanup containerd",
      "cleanup etcd",
      "cleanup state",
    ]);
    expect((err as Error).message).toBe(
      'Start-up step "containerd" failed: no socket\nundoing "etcd" failed too: etcd would not stop',
    );
  });

  it("says on the progress log which step failed and that it is undoing the steps begun", async () => {
    const lines: string[] = [];
    const { steps } = recorded(["etcd", "containerd"], { step: "containerd", error: new Error("no socket") });
    await rejection(runSteps(steps, (line) => lines.push(line)));
    expect(lines).toEqual(['==> "containerd" failed; undoing the 2 step(s) begun, last first']);
  });
});

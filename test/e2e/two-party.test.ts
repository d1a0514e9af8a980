// Two organisations end to end, one mode per driver (Blob CSI: blob-fuse-wi; Azure Files CSI: fileshare-nfs): the
// AKS side and the storage side, each logged in to its own tenant only and working in its own folder, exchange the
// request and response files; the chart is installed from the AKS side's values and a pod reads and writes through
// the mount. The simulated Azure's call log shows that neither side's login called the other's tenant.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadAzState } from "../../tools/src/azsim/state.ts";
import { DEMO_IDS } from "../../tools/src/azsim/seed.ts";
import { demoPodName, pvcName, type Deployment, type Testbed } from "../../tools/src/testbed/testbed.ts";
import { bootstrapTwoParty, crossTenantCalls, type Handover, testbedSides } from "../../tools/src/testbed/two-party.ts";
import { openTestbed } from "./support.ts";

// As in modes.test.ts: one helm install makes the claim and the pod, which the scheduler may park until its flush.
const POD_AFTER_INSTALL_MS = 420_000;

let tb: Testbed;

beforeAll(async () => {
  tb = await openTestbed("two-party", { ownTenantOnly: true });
});

afterAll(async () => {
  await tb?.close();
});

describe.each(["blob-fuse-wi", "fileshare-nfs"] as const)("%s from the two halves", (mode) => {
  let d: Deployment & { handovers: Handover[] };
  const said: string[] = [];

  beforeAll(async () => {
    d = await bootstrapTwoParty(tb, mode, { say: (l) => said.push(l) });
  });

  afterAll(async () => {
    if (!d) return;
    await tb.uninstall(d).catch(() => undefined);
    await tb.deleteNamespace(d.namespace);
  });

  it("exchanges the request and the response (NFS: twice), each response answering the request before it", () => {
    const names = d.handovers.map((h) => `${h.from}:${path.basename(h.file)}`);
    const round = [`aks:request.${mode}.yaml`, `storage:response.${mode}.yaml`];
    expect(names).toEqual(mode === "blob-fuse-wi" ? round : [...round, ...round]);
    for (let i = 0; i < d.handovers.length; i += 2) expect(d.handovers[i + 1]!.digest).toBe(d.handovers[i]!.digest);
    // The storage owner's files stay in its folder; the AKS side's in its own.
    const [request, response] = d.handovers;
    expect(path.dirname(request!.file)).not.toBe(path.dirname(response!.file));
    expect(said.at(-1)).toMatch(/AKS side \(tenant 1\): read response\..+ \(answers .+\) and finished/);
  });

  it("writes values for the account the storage side made in tenant 2 (blob-fuse-wi: and tenant 2's ID)", () => {
    expect(d.values.mode).toBe(mode);
    // The NFS modes carry no identity: their values name the account only.
    if (mode === "blob-fuse-wi") expect(d.values.storage.tenantId).toBe(DEMO_IDS.tenant2);
    const account = loadAzState(tb.statePath).storageAccounts.find((a) => a.name === d.values.storage.accountName);
    expect(account?.subscriptionId).toBe(DEMO_IDS.subscription2);
  });

  it("installs with the AKS side's values: claim Bound, demo pod Running", async () => {
    await tb.install(d);
    await tb.waitForPvcBound(d.namespace, pvcName[mode]);
    const pod = await tb.waitForPodRunning(d.namespace, demoPodName[mode], POD_AFTER_INSTALL_MS);
    expect(pod.status?.phase).toBe("Running");
  });

  it("writes through the pod to the storage tenant's container or share, and reads what the storage side put there", async () => {
    const { log, host } = await tb.writeHelloAndReadBack(d);
    expect(log.split("\n")).toContain("hello!");
    expect(host).toBe("hello!\n");
    writeFileSync(path.join(d.storageDir, "from-storage-owner"), "data from tenant 2\n");
    const read = await tb.exec(d.namespace, demoPodName[mode], "demo", ["cat", "/mnt/azure/from-storage-owner"]);
    expect(read).toBe("data from tenant 2\n");
    expect(readFileSync(path.join(d.storageDir, "text"), "utf8")).toBe("hello!\n");
  });

  it("neither side's login called the other's tenant (the simulated Azure's call log)", () => {
    const calls = loadAzState(tb.statePath).calls;
    const [aks, storage] = testbedSides(tb);
    expect(crossTenantCalls(calls, [aks!, storage!])).toEqual([]);
    // Both sides acted (the check above is not empty-handed).
    expect(calls.some((c) => path.resolve(c.configDir) === path.resolve(aks!.configDir) && c.mutating)).toBe(true);
    expect(calls.some((c) => path.resolve(c.configDir) === path.resolve(storage!.configDir) && c.mutating)).toBe(true);
  });
});

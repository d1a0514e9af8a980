// doctor's reinstall fixes on the local test cluster: a fault only a new release can repair (PV attributes are
// immutable) is named, its printed commands run exactly as printed through sh, and then the pod mounts the
// volume and doctor finds no broken link. Each case works on a deployment of its own.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { type AzState, loadAzState, updateAzState } from "../../tools/src/azsim/state.ts";
import { formatReport } from "../../tools/src/doctor/format.ts";
import { exitCodeOf, runDoctor } from "../../tools/src/doctor/index.ts";
import type { DoctorReport } from "../../tools/src/doctor/types.ts";
import { isClusterCommand } from "../../tools/src/testbed/printed-commands.ts";
import { demoPodName, type Deployment, pvcName, type Testbed } from "../../tools/src/testbed/testbed.ts";
import type { Mode } from "../../tools/src/schema/modes.ts";
import { printedFixPath, runPrintedFix } from "./printed-fix.ts";
import { nodeMountinfo, openTestbed } from "./support.ts";

/**
 * A pod created in one `helm install` with its claim may wait for kube-scheduler's 5-minute flush of
 * unschedulable pods (kubernetes/kubernetes#93552; docs/troubleshooting.md), as in test/e2e/modes.test.ts.
 */
const POD_AFTER_INSTALL_MS = 420_000;

let tb: Testbed;
let fixPath: string;
const namespaces: string[] = [];

beforeAll(async () => {
  tb = await openTestbed("doctor-fixes");
  fixPath = await printedFixPath(tb);
});

afterAll(async () => {
  try {
    for (const ns of namespaces) await tb.deleteNamespace(ns);
  } finally {
    await tb?.close();
  }
});

async function deployment(mode: Mode = "blob-fuse-wi"): Promise<Deployment> {
  const d = await tb.bootstrap(mode);
  namespaces.push(d.namespace);
  return d;
}

async function doctor(d: Deployment): Promise<DoctorReport> {
  return runDoctor({
    release: d.release,
    namespace: d.namespace,
    configPath: `${tb.opts.workDir}/bootstrap.${d.namespace}.yaml`,
    kubeconfig: tb.opts.kubeconfig,
    env: tb.azEnv(),
  });
}

/**
 * Waits until the demo pod's CSI volume is mounted on the node: the mock driver mounts only what the simulated
 * Azure authorizes. The reinstalled release runs the chart's default demo image, which the offline node cannot
 * pull; the kubelet mounts a pod's volumes before it pulls the image, so the mount is what shows the fix worked.
 */
async function waitForPodMount(d: Deployment): Promise<void> {
  await vi.waitFor(
    async () => {
      const pod = await tb.core.readNamespacedPod({ namespace: d.namespace, name: demoPodName[d.mode] });
      const mounted = (await nodeMountinfo(tb.opts.nodeName)).includes(
        `/pods/${pod.metadata!.uid}/volumes/kubernetes.io~csi/`,
      );
      if (!mounted) throw new Error(`pod ${d.namespace}/${pod.metadata!.name} has no CSI volume mounted yet`);
    },
    { timeout: POD_AFTER_INSTALL_MS, interval: 2_000 },
  );
}

/**
 * Waits for the release's claim to be Bound, as a user runs doctor some time after an install: right after it,
 * the PV controller may have bound the PV but not yet the claim (a few seconds), which doctor reports as the claim.
 */
async function claimBound(d: Deployment): Promise<void> {
  await tb.waitForPvcBound(d.namespace, pvcName[d.mode]);
}

/** Runs the printed fix, then waits for the mount and for doctor to find no broken link (exit 0). */
async function fixAndMount(d: Deployment, report: DoctorReport): Promise<void> {
  await runPrintedFix(tb, fixPath, report);
  await waitForPodMount(d);
  const after = await doctor(d);
  expect(after.firstBroken, `after running the fix:\n${formatReport(after)}`).toBeUndefined();
  expect(exitCodeOf(after)).toBe(0);
}

const apps = (s: AzState) => s.apps;

describe("doctor's reinstall fixes, run as printed on the cluster", () => {
  it("reinstalls a release whose PV names another app with the bootstrap's app; no row acts for the other app", async () => {
    const d = await deployment();
    const mine = d.values.workloadIdentity!.clientId!;
    const stranger = "5e7a0000-0000-4000-8000-00000000e2e1";
    updateAzState(tb.statePath, (s) => {
      const app = apps(s).find((a) => a.appId === mine)!;
      apps(s).push({
        ...structuredClone(app),
        id: "obj-stranger",
        appId: stranger,
        displayName: "another-teams-app",
        federatedCredentials: [],
      });
    });
    await tb.install(d, { "workloadIdentity.clientId": stranger });
    await claimBound(d);
    const report = await doctor(d);
    expect(report.firstBroken, formatReport(report)).toBe("cluster.pv-attributes");
    const row = report.checks.find((c) => c.id === "cluster.pv-attributes")!;
    expect(row.why).toContain(`clientID is '${stranger}', expected '${mine}'`);
    expect(row.commands!.every(isClusterCommand)).toBe(true);
    expect(report.checks.flatMap((c) => c.commands ?? []).filter((c) => c.includes(stranger))).toEqual([]);
    await fixAndMount(d, report);
    expect(loadAzState(tb.statePath).apps.find((a) => a.appId === stranger)!.federatedCredentials).toEqual([]);
  }, 900_000);

  it("after the app was deleted, runs the bootstrap (a new app) and reinstalls with the values it wrote", async () => {
    const d = await deployment();
    const old = d.values.workloadIdentity!.clientId!;
    await tb.install(d);
    await tb.waitForPodRunning(d.namespace, demoPodName[d.mode], POD_AFTER_INSTALL_MS);
    updateAzState(tb.statePath, (s) => {
      s.apps = apps(s).filter((a) => a.appId !== old);
    });
    const report = await doctor(d);
    expect(report.firstBroken, formatReport(report)).toBe("tenant1.app");
    const commands = report.checks.find((c) => c.id === "tenant1.app")!.commands!;
    expect(commands, formatReport(report)).toHaveLength(3);
    expect(commands[0]).toMatch(/^ctv bootstrap --config /);
    expect(commands.slice(1).every(isClusterCommand)).toBe(true);
    await fixAndMount(d, report);
    const pv = (await doctor(d)).checks.find((c) => c.id === "cluster.pv-attributes")!;
    expect(pv.verdict).toBe("ok");
    expect(loadAzState(tb.statePath).apps.some((a) => a.appId === old)).toBe(false);
  }, 900_000);

  it("reinstalls a share mounted without encryption in transit that the account refuses, and it mounts encrypted", async () => {
    const d = await deployment("fileshare-nfs");
    await tb.install(d, { "storage.encryptInTransit": "false" });
    await claimBound(d);
    const report = await doctor(d);
    expect(report.firstBroken, formatReport(report)).toBe("tenant2.nfs-settings");
    expect(report.checks.find((c) => c.id === "tenant2.nfs-settings")!.commands!.every(isClusterCommand)).toBe(true);
    await fixAndMount(d, report);
    const pv = (await tb.core.listPersistentVolume()).items.find(
      (p) =>
        p.metadata?.labels?.["app.kubernetes.io/instance"] === d.release && p.spec?.claimRef?.namespace === d.namespace,
    );
    expect(pv?.spec?.csi?.volumeAttributes?.encryptInTransit).toBe("true");
  }, 900_000);

  it("recreates the release's deleted ServiceAccount with helm, so the next helm upgrade still owns it", async () => {
    const d = await deployment();
    await tb.install(d);
    await tb.waitForPodRunning(d.namespace, demoPodName[d.mode], POD_AFTER_INSTALL_MS);
    const sa = d.values.serviceAccount!.name!;
    await tb.core.deleteNamespacedServiceAccount({ name: sa, namespace: d.namespace });
    const report = await doctor(d);
    expect(report.firstBroken, formatReport(report)).toBe("cluster.pods");
    expect(report.checks.find((c) => c.id === "cluster.pods")!.commands).toEqual([
      expect.stringMatching(/^helm upgrade /),
    ]);
    await runPrintedFix(tb, fixPath, report);
    const after = await doctor(d);
    expect(after.firstBroken, formatReport(after)).toBeUndefined();
    expect(exitCodeOf(after)).toBe(0);
    const recreated = await tb.core.readNamespacedServiceAccount({ name: sa, namespace: d.namespace });
    expect(recreated.metadata?.annotations?.["meta.helm.sh/release-name"]).toBe(d.release);
    // The pod kept its mount, and the next upgrade adopts the ServiceAccount without complaint.
    await tb.upgrade(d);
    await tb.waitForPodRunning(d.namespace, demoPodName[d.mode]);
  }, 900_000);
});

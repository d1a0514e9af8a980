// helm upgrade of a fileshare-nfs release across the change to encryption in transit, on the test cluster: a PV's
// attributes never change, so an upgrade that would add or drop encryptInTransit must stop with the chart's message
// naming the value to set (found through `lookup` of the release's PV), change nothing, and the named value upgrades.
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { run } from "../../tools/src/exec/run.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import type { Deployment, Testbed } from "../../tools/src/testbed/testbed.ts";
import { openTestbed } from "./support.ts";

let tb: Testbed;
const deployments: Deployment[] = [];
/** No pods: the PV is what the upgrade is about. */
const noPods = { "demo.enabled": "false", "tests.enabled": "false" };

beforeAll(async () => {
  tb = await openTestbed("upgrade");
});

afterAll(async () => {
  for (const d of deployments) {
    await tb.uninstall(d).catch(() => undefined);
    await tb.deleteNamespace(d.namespace).catch(() => undefined);
  }
  await tb?.close();
});

async function fileshare(): Promise<Deployment> {
  const d = await tb.bootstrap("fileshare-nfs");
  deployments.push(d);
  return d;
}

/** The release's revision and its PV's encryptInTransit attribute (undefined when the PV has none). */
async function state(d: Deployment): Promise<{ revision: number; encryptInTransit: string | undefined }> {
  const status = await run(await ensureHelm("4"), ["status", d.release, "-n", d.namespace, "-o", "json"], {
    env: { KUBECONFIG: inject("CTV_KUBECONFIG") },
  });
  const pvs = await tb.core.listPersistentVolume();
  const pv = pvs.items.find((p) => p.spec?.claimRef?.namespace === d.namespace);
  expect(pv, `the release's PV in ${d.namespace}`).toBeDefined();
  return {
    revision: (JSON.parse(status.stdout) as { version: number }).version,
    encryptInTransit: pv!.spec?.csi?.volumeAttributes?.encryptInTransit,
  };
}

describe("helm upgrade of a fileshare-nfs release across encryption in transit", () => {
  it("a PV without encryptInTransit (as charts before it wrote one): the default upgrade stops naming `storage.encryptInTransit: false` and changes nothing; with false it upgrades", async () => {
    const d = await fileshare();
    // `false` renders the PV exactly as the charts before storage.encryptInTransit did: no such attribute.
    await tb.install(d, { ...noPods, "storage.encryptInTransit": "false" });
    expect(await state(d)).toEqual({ revision: 1, encryptInTransit: undefined });

    const upgrade = tb.upgrade(d, noPods);
    await expect(upgrade).rejects.toMatchObject({
      message: expect.stringMatching(
        /ERROR: storage\.encryptInTransit: is unset \(on by default\), but this release's PersistentVolume pv-fileshare-nfs-\S+ already mounts without encryptInTransit.*Set storage\.encryptInTransit: false.*helm uninstall/,
      ),
    });
    await expect(tb.upgrade(d, { ...noPods, "storage.encryptInTransit": "true" })).rejects.toMatchObject({
      message: expect.stringMatching(/ERROR: storage\.encryptInTransit: is true, but/),
    });
    expect(await state(d), "a refused upgrade makes no revision and leaves the PV").toEqual({
      revision: 1,
      encryptInTransit: undefined,
    });

    await tb.upgrade(d, { ...noPods, "storage.encryptInTransit": "false" });
    expect(await state(d)).toEqual({ revision: 2, encryptInTransit: undefined });
  });

  it("an encrypted PV: an upgrade to `false` stops naming the value; the default upgrade keeps it encrypted", async () => {
    const d = await fileshare();
    await tb.install(d, noPods);
    expect(await state(d)).toEqual({ revision: 1, encryptInTransit: "true" });

    await expect(tb.upgrade(d, { ...noPods, "storage.encryptInTransit": "false" })).rejects.toMatchObject({
      message: expect.stringMatching(
        /ERROR: storage\.encryptInTransit: is false, but this release's PersistentVolume \S+ already mounts encrypted in transit.*Remove storage\.encryptInTransit/,
      ),
    });
    await tb.upgrade(d, noPods);
    expect(await state(d)).toEqual({ revision: 2, encryptInTransit: "true" });
  });
});

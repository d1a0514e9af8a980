// NOTES.txt, per mode: what was created, the commands that check the mount, and for blob-fuse-wi the
// federated credential subject. Rendered by `helm install --dry-run=client`, which needs no cluster
// in Helm 4 only (Helm 3 insists on reaching one), so this file runs under Helm 4.
import { beforeAll, describe, expect, it } from "vitest";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { CHART_DIR, MODES, NAMESPACE, SETUP_TIMEOUT_MS, helmClient, scenarioFile, valuesFile } from "./support.ts";
import type { Mode } from "../../tools/src/schema/modes.ts";

let helm: HelmClient;
beforeAll(async () => {
  helm = await helmClient("4");
}, SETUP_TIMEOUT_MS);

async function notes(mode: Mode, overrides?: unknown): Promise<string> {
  const files = [scenarioFile(mode), ...(overrides ? [valuesFile(overrides)] : [])];
  const out = await helm.installDryRun("data", CHART_DIR, { namespace: NAMESPACE[mode], valuesFiles: files });
  const start = out.indexOf("NOTES:\n");
  expect(start, "helm printed NOTES").toBeGreaterThanOrEqual(0);
  return out.slice(start + "NOTES:\n".length);
}

describe.each(MODES)("NOTES.txt in mode %s", (mode) => {
  it("names the objects and gives the exact commands to check the mount", async () => {
    const text = await notes(mode);
    const ns = NAMESPACE[mode];
    const pvc = { "blob-fuse-wi": "pvc-blob-wi", "fileshare-nfs": "pvc-fileshare-nfs", "blob-nfs": "pvc-blob-nfs" }[
      mode
    ];
    const pod = {
      "blob-fuse-wi": "blob-fuse-wi-mount",
      "fileshare-nfs": "fileshare-nfs-mount",
      "blob-nfs": "blob-nfs-mount",
    }[mode];
    expect(text).toContain(`cross-tenant-volume (${mode})`);
    expect(text).toContain(`kubectl get pvc ${pvc} -n ${ns}`);
    expect(text).toContain(`kubectl exec ${pod} -n ${ns} -- sh -c 'echo hello! > /mnt/azure/text'`);
    // Right after install the pod is still mounting: exec would fail with "container not found".
    const wait = text.indexOf(`kubectl wait pod/${pod} -n ${ns} --for=condition=Ready --timeout=5m`);
    expect(wait).toBeGreaterThanOrEqual(0);
    expect(wait).toBeLessThan(text.indexOf("kubectl exec"));
    expect(text).toContain(`kubectl logs ${pod} -n ${ns}`);
    // --logs prints the pod's verdict (and, on failure, why) without a second command.
    expect(text).toContain(`helm test data -n ${ns} --logs`);
    expect(text.split("\n").length).toBeLessThanOrEqual(20);
  });

  it(
    mode === "blob-fuse-wi"
      ? "prints the federated credential subject"
      : "prints no identity, only the network prerequisites",
    async () => {
      const text = await notes(mode);
      if (mode === "blob-fuse-wi") {
        expect(text).toContain("system:serviceaccount:blob-fuse:blob-fuse-sa");
        expect(text).toContain("api://AzureADTokenExchange");
      } else {
        expect(text).not.toContain("system:serviceaccount:");
        expect(text).toMatch(/private endpoint/);
      }
    },
  );

  it("says where a failed mount shows and what to look for in this mode", async () => {
    const text = await notes(mode);
    const pod = {
      "blob-fuse-wi": "blob-fuse-wi-mount",
      "fileshare-nfs": "fileshare-nfs-mount",
      "blob-nfs": "blob-nfs-mount",
    }[mode];
    expect(text).toContain(`kubectl describe pod ${pod} -n ${NAMESPACE[mode]}`);
    if (mode === "blob-fuse-wi") expect(text).toMatch(/AADSTS/);
    else expect(text).toMatch(/mount\.nfs: access denied by server.*timed out/s);
    expect(text).toContain(`npx ctv doctor --release data --namespace ${NAMESPACE[mode]} --config bootstrap.yaml`);
  });
});

it("follows a renamed ServiceAccount and leaves out the demo commands when there is no demo pod", async () => {
  const text = await notes("blob-fuse-wi", { serviceAccount: { name: "reader" }, demo: { enabled: false } });
  expect(text).toContain("system:serviceaccount:blob-fuse:reader");
  expect(text).not.toContain("kubectl exec");
});

// The chart's _validate.tpl and zod's checkValues must agree beyond the one-fault table: values with
// several faults at once (seeded, reproducible) must produce the same first message from Helm as from
// zod, and values zod accepts must render.
import { beforeAll, describe, expect, it } from "vitest";
import { ToolError } from "../../tools/src/errors.ts";
import type { HelmClient } from "../../tools/src/helm/helm.ts";
import { valuesProblems } from "../../tools/src/schema/values.ts";
import { CHART_DIR, HELM_MAJORS, MODES, SETUP_TIMEOUT_MS, helmClient, scenarioValues, valuesFile } from "./support.ts";
import type { Mode } from "../../tools/src/schema/modes.ts";

/** Each entry sets one key to a value that breaks a rule in some mode (or, sometimes, in none). */
const FAULTS: Array<[string, unknown]> = [
  ["storage.accountName", "Bad-Name"],
  ["storage.accountName", ""],
  ["storage.containerName", "x--y"],
  ["storage.containerName", "aks-container"],
  ["storage.shareName", "aks-share"],
  ["storage.shareName", "-share"],
  ["storage.resourceGroup", ""],
  ["storage.resourceGroup", "rg."],
  ["storage.subscriptionId", "not-a-guid"],
  ["storage.subscriptionId", ""],
  ["storage.tenantId", "3a9e7d21-58c4-4f0b-a6e2-91d4c7b8e5f3"],
  ["storage.tenantId", "contoso.com"],
  ["workloadIdentity.clientId", ""],
  ["storage.endpointSuffix", "core"],
  ["serviceAccount.name", ""],
  ["serviceAccount.name", "SA"],
  ["persistentVolume.name", "Big"],
  ["persistentVolume.capacity", "1Gi"],
  ["persistentVolume.capacity", "10GB"],
  ["persistentVolume.reclaimPolicy", "Recycle"],
  ["persistentVolume.mountOptions", ["--config-file=/x", "vers=4"]],
  ["persistentVolume.volumeAttributes", { ClientId: "x", secretNamespace: "y" }],
  ["persistentVolume.volumeAttributes", { mountPermissions: "0o777", fsGroupChangePolicy: "never" }],
  ["persistentVolumeClaim.name", "a_b"],
  ["persistentVolumeClaim.storage", "20Gi"],
  ["persistentVolumeClaim.storage", "2.5Gi"],
  ["storageClass.name", "A"],
  ["demo.name", "-demo"],
  ["pods.mountPath", "/"],
  ["demo.image", { tag: "" }],
  ["tests.image", { repository: "" }],
  ["persistentVolume.mountOptions", ["-o allow_other --config-file=/x", "nconnect=4,vers=3"]],
  ["persistentVolume.mountOptions", ["--log-level=LOG_WARNING -o", "nconnect=4 sec=sys"]],
  ["persistentVolume.volumeHandle", "rg#acct#c#id#default"],
  ["persistentVolume.volumeAttributes", { server: "a.example", keyVaultURL: "x", KeyVaultSecretName: "y" }],
  ["storageClass.parameters", { "csi.storage.k8s.io/provisioner-secret-name": "x", SKUName: "y", protocol: "smb" }],
  ["pods.mountPath", "/mnt/a b"],
];

/** A small seeded generator, so a failure names a case that reproduces. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split(".");
  let cur = target;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  cur[keys[keys.length - 1] as string] = value;
}

const random = lcg(20261129);
const cases = Array.from({ length: 40 }, (_, i) => {
  const mode = MODES[Math.floor(random() * MODES.length)] as Mode;
  const values = structuredClone(scenarioValues(mode));
  const count = 1 + Math.floor(random() * 3);
  const applied: string[] = [];
  for (let j = 0; j < count; j++) {
    const [path, value] = FAULTS[Math.floor(random() * FAULTS.length)] as [string, unknown];
    setPath(values, path, structuredClone(value));
    applied.push(path);
  }
  return { name: `#${i} ${mode}: ${applied.join(", ")}`, values };
});

describe.each(HELM_MAJORS)("Helm %s and zod agree on values with several faults", (major) => {
  let helm: HelmClient;
  beforeAll(async () => {
    helm = await helmClient(major);
  }, SETUP_TIMEOUT_MS);

  it.each(cases)("$name", async ({ values }) => {
    const zodFirst = valuesProblems(values)[0];
    const result = await helm
      .template(CHART_DIR, { releaseName: "data", namespace: "ns", valuesFiles: [valuesFile(values)] })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (zodFirst === undefined) {
      expect(result, "zod accepts these values, so Helm must render them").toBeUndefined();
    } else {
      expect(result).toBeInstanceOf(ToolError);
      expect((result as ToolError).message).toBe(`ERROR: ${zodFirst}`);
    }
  });
});

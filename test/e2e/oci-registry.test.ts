// The chart as users get it: released (signed, with its provenance file) to a real OCI registry — the
// CNCF distribution registry on 127.0.0.1 with TLS from a per-run CA and htpasswd auth — then shown,
// pulled and installed from oci:// with --verify. A tampered archive and a wrong key must be refused
// with Helm's own message. Helm 4 only: Helm 3.17.4 speaks plain HTTP to a registry on a loopback address
// (push fails with `unexpected status from HEAD request to http://127.0.0.1:…: 400 Bad Request`).
import { mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync, copyFileSync } from "node:fs";
import path from "node:path";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it, inject } from "vitest";
import { run } from "../../tools/src/exec/run.ts";
import { HelmClient } from "../../tools/src/helm/helm.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { demoImage } from "../../tools/src/images/names.ts";
import { startRegistry, type LocalRegistry } from "../../tools/src/registry/registry.ts";
import { release, type ReleaseResult } from "../../tools/src/release/release.ts";
import { throwawayKey, type SigningKey } from "../../tools/src/release/signing.ts";
import { demoPodName, pvcName, type Deployment, type Testbed } from "../../tools/src/testbed/testbed.ts";
import { openTestbed } from "./support.ts";
import { CHART_DIR, repoRoot } from "../../tools/src/paths.ts";

const log = (line: string) => process.stderr.write(`[e2e oci] ${line}\n`);
const localChart = yaml.load(readFileSync(path.join(CHART_DIR, "Chart.yaml"), "utf8")) as Record<string, unknown> & {
  version: string;
};
const version = localChart.version;

let work: string;
let registry: LocalRegistry;
let publisher: SigningKey;
let stranger: SigningKey;
let released: ReleaseResult;
let helmPath: string;
/** Logged in to the registry, with the test cluster's kubeconfig. */
let helm: HelmClient;
/** The keyring a user makes from the published public-key.asc, as the chart README says. */
let keyring: string;
let chartRef: string;

beforeAll(async () => {
  mkdirSync(path.join(repoRoot, ".cache", "e2e"), { recursive: true });
  work = mkdtempSync(path.join(repoRoot, ".cache", "e2e", "oci-"));
  registry = await startRegistry({ workDir: path.join(work, "registry"), log });
  publisher = await throwawayKey(path.join(work, "publisher"), { name: "cross-tenant-volume e2e publisher" });
  stranger = await throwawayKey(path.join(work, "stranger"), { name: "someone else" });
  helmPath = await ensureHelm("4");
  helm = new HelmClient({ helmPath, homeDir: path.join(work, "helm-user"), kubeconfig: inject("CTV_KUBECONFIG") });
  await helm.registryLogin(registry.host, {
    username: registry.username,
    password: registry.password,
    caFile: registry.caFile,
  });
  released = await release({
    dryRun: false,
    registry: `oci://${registry.host}/charts`,
    signingKey: publisher.secring,
    caFile: registry.caFile,
    credentials: { username: registry.username, password: registry.password },
    outDir: path.join(work, "dist"),
    log,
  });
  keyring = path.join(work, "cross-tenant-volume.gpg");
  await run("gpg", ["--batch", "--yes", "--dearmor", "--output", keyring, released.publicKey]);
  chartRef = `oci://${registry.host}/charts/cross-tenant-volume`;
});

afterAll(async () => {
  await registry?.stop();
  await publisher?.dispose();
  await stranger?.dispose();
});

describe("the OCI registry", () => {
  it("is a TLS registry with basic auth: anonymous and wrong-password clients are refused", async () => {
    const anonymous = new HelmClient({ helmPath, homeDir: path.join(work, "helm-anonymous") });
    await expect(anonymous.show("chart", chartRef, { version, caFile: registry.caFile })).rejects.toMatchObject({
      code: "NOT_LOGGED_IN",
    });
    await expect(
      anonymous.registryLogin(registry.host, {
        username: registry.username,
        password: "wrong",
        caFile: registry.caFile,
      }),
    ).rejects.toThrow(/401|unauthorized/i);
    // Without the run's CA, the certificate is not trusted.
    await expect(anonymous.show("chart", chartRef, { version })).rejects.toMatchObject({
      code: "PRECONDITION",
      message: expect.stringMatching(/certificate/),
    });
  });
});

describe("npm run release, pushing to the registry", () => {
  it("signs with the given key and pushes the chart with its provenance; the digest is the archive's manifest", () => {
    expect(released.throwawayKey).toBe(false);
    expect(released.signedBy).toBe("cross-tenant-volume e2e publisher");
    expect(released.pushed?.reference).toBe(
      `${chartRef.replace("/cross-tenant-volume", "")}/cross-tenant-volume:${version}`,
    );
    expect(released.pushed?.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    log(`push (helm push of the signed chart and its .prov): ${released.pushed!.seconds.toFixed(2)} s`);
  });

  it("shows the chart's metadata and README from oci:// as they are in the repository", async () => {
    const shown = yaml.load(await helm.show("chart", chartRef, { version, caFile: registry.caFile })) as Record<
      string,
      unknown
    >;
    for (const key of ["name", "version", "kubeVersion", "home", "sources", "icon", "annotations"])
      expect(shown[key], key).toEqual(localChart[key]);
    const readme = await helm.show("readme", chartRef, { version, caFile: registry.caFile });
    expect(readme.trim()).toBe(readFileSync(path.join(CHART_DIR, "README.md"), "utf8").trim());
  });

  it("pulls with --verify against the keyring made from the published public-key.asc", async () => {
    const started = Date.now();
    const out = await helm.pull(chartRef, {
      version,
      caFile: registry.caFile,
      destination: mkdtempSync(path.join(work, "pull-")),
      verifyKeyring: keyring,
    });
    log(`pull with --verify: ${((Date.now() - started) / 1000).toFixed(2)} s`);
    expect(out).toContain("Signed by: cross-tenant-volume e2e publisher");
    expect(out).toMatch(/Chart Hash Verified: sha256:[0-9a-f]{64}/);
  });
});

describe("helm install oci://… --verify", () => {
  let tb: Testbed;
  let d: Deployment;

  beforeAll(async () => {
    tb = await openTestbed("oci");
    // The config names the published chart, so the bootstrap's closing line installs from the registry.
    d = await tb.bootstrap("fileshare-nfs", { namespace: "oci-fileshare", chart: { reference: chartRef, keyring } });
  });

  afterAll(async () => {
    if (d) {
      await helm.uninstall(d.release, { namespace: d.namespace, wait: true, timeout: "3m0s" }).catch(() => undefined);
      await tb.deleteNamespace(d.namespace).catch(() => undefined);
    }
    await tb?.close();
  });

  const [repository, tag] = [
    demoImage.slice(0, demoImage.lastIndexOf(":")),
    demoImage.slice(demoImage.lastIndexOf(":") + 1),
  ];
  const offlineImages = {
    "demo.image.repository": repository,
    "demo.image.tag": tag,
    "demo.image.pullPolicy": "Never",
    "tests.image.repository": repository,
    "tests.image.tag": tag,
    "tests.image.pullPolicy": "Never",
  };

  it("refuses a tampered chart (changed archive, original .prov) with Helm's checksum message, installing nothing", async () => {
    const dir = mkdtempSync(path.join(work, "tampered-"));
    await run("tar", ["-xzf", released.chartArchive, "-C", dir]);
    const pod = path.join(dir, "cross-tenant-volume", "templates", "pod.yaml");
    writeFileSync(pod, `${readFileSync(pod, "utf8")}\n# an extra line that the signature does not cover\n`);
    const archive = path.join(dir, path.basename(released.chartArchive));
    await run("tar", ["-czf", `${archive}.new`, "-C", dir, "cross-tenant-volume"]);
    renameSync(`${archive}.new`, archive);
    copyFileSync(released.provenance, `${archive}.prov`);
    await helm.push(archive, `oci://${registry.host}/tampered`, { caFile: registry.caFile });

    const install = helm.install("tampered", `oci://${registry.host}/tampered/cross-tenant-volume`, {
      namespace: d.namespace,
      createNamespace: true,
      valuesFiles: [d.valuesFile],
      set: offlineImages,
      chartVersion: version,
      verifyKeyring: keyring,
      caFile: registry.caFile,
    });
    await expect(install).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringMatching(/sha256 sum does not match for cross-tenant-volume-[\d.]+\.tgz/),
    });
    await expect(
      run(helmPath, ["status", "tampered", "-n", d.namespace], {
        env: { KUBECONFIG: inject("CTV_KUBECONFIG") },
        allowFailure: true,
      }),
    ).resolves.toMatchObject({ exitCode: 1 });
  });

  it("refuses the genuine chart against another key's keyring with Helm's unknown-signer message", async () => {
    const install = helm.install("strangers", chartRef, {
      namespace: d.namespace,
      createNamespace: true,
      valuesFiles: [d.valuesFile],
      set: offlineImages,
      chartVersion: version,
      verifyKeyring: stranger.pubring,
      caFile: registry.caFile,
    });
    await expect(install).rejects.toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("openpgp: signature made by unknown entity"),
    });
  });

  it("runs the bootstrap's printed helm install, which names the OCI chart, its version and the keyring: claim Bound, hello! through the pod", async () => {
    const printed = d.helmCommand;
    expect(printed.slice(0, 9)).toEqual([
      "helm",
      "install",
      d.release,
      chartRef,
      "--version",
      version,
      "--verify",
      "--keyring",
      path.relative(process.cwd(), keyring),
    ]);
    // As printed, plus what only this test bed needs: its registry's private CA and the offline images.
    const extra = [
      "--ca-file",
      registry.caFile,
      ...Object.entries(offlineImages).flatMap(([k, v]) => ["--set", `${k}=${v}`]),
      "--timeout",
      "5m0s",
    ];
    const helmHome = path.join(work, "helm-user");
    const started = Date.now();
    const { stdout: out } = await run(helmPath, [...printed.slice(1), ...extra], {
      timeoutMs: 360_000,
      env: {
        KUBECONFIG: inject("CTV_KUBECONFIG"),
        HELM_CONFIG_HOME: path.join(helmHome, "config"),
        HELM_CACHE_HOME: path.join(helmHome, "cache"),
        HELM_DATA_HOME: path.join(helmHome, "data"),
      },
    });
    log(`helm install oci://… --verify (pull, verify, install): ${((Date.now() - started) / 1000).toFixed(2)} s`);
    expect(out).toContain("STATUS: deployed");
    const list = await run(helmPath, ["list", "-n", d.namespace, "-o", "json"], {
      env: { KUBECONFIG: inject("CTV_KUBECONFIG"), HELM_CONFIG_HOME: path.join(work, "helm-user", "config") },
    });
    expect((JSON.parse(list.stdout) as Array<{ name: string; chart: string }>).map((r) => [r.name, r.chart])).toEqual([
      [d.release, `cross-tenant-volume-${version}`],
    ]);
    await tb.waitForPvcBound(d.namespace, pvcName[d.mode]);
    await tb.waitForPodRunning(d.namespace, demoPodName[d.mode]);
    const { log: podLog, host } = await tb.writeHelloAndReadBack(d);
    expect(podLog.split("\n")).toContain("hello!");
    expect(host).toBe("hello!\n");
  });
});

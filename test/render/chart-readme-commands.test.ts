// The chart README's own commands (what `helm show readme` prints), run as written and in order in an empty
// directory against the signed, packaged chart in a real OCI registry (the test bed's, on 127.0.0.1): the keyring
// line, the login, `helm show readme` and each mode's `helm install --verify` with the README's values file. Each
// command gets only what this test bed needs (its registry's private CA, the password on stdin, `--dry-run=client`
// since no cluster is here); the commands that need a cluster are listed with the reason, and the list is exact.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSimulatedAzure } from "../../tools/src/azsim/harness.ts";
import { runBootstrap } from "../../tools/src/bootstrap/index.ts";
import { HelmClient } from "../../tools/src/helm/helm.ts";
import { ensureHelm } from "../../tools/src/helm/install.ts";
import { CHART_DIR } from "../../tools/src/paths.ts";
import { type LocalRegistry, startRegistry } from "../../tools/src/registry/registry.ts";
import { type SigningKey, throwawayKey } from "../../tools/src/release/signing.ts";
import { parseManifests } from "./support.ts";

/** A fenced block of the README: its language and its text. */
interface Block {
  lang: string;
  text: string;
}

function fencedBlocks(markdown: string): Block[] {
  return [...markdown.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, text: m[2]! }));
}

/** The commands of an sh block: continuation lines joined, trailing `# comments` dropped. */
function commandsOf(block: string): string[] {
  return block
    .replace(/\\\n\s*/g, "")
    .split("\n")
    .map((l) => l.replace(/\s+#\s.*$/, "").trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

/** What this README command cannot do without a cluster (or Azure): undefined when it runs here. */
function needs(command: string): string | undefined {
  if (/^helm test /.test(command)) return "a cluster: it runs the installed release's test pod";
  return undefined;
}

const NAMESPACE = "team-a";
let work: string;
let registry: LocalRegistry;
let key: SigningKey;
let helmHome: string;
let binDir: string;
let readme: string;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), "ctv-chart-readme-"));
  const helmPath = await ensureHelm("4");
  // The user's `helm` is Helm 4 (Helm 3.17 speaks plain HTTP to a registry on a loopback address).
  binDir = path.join(work, "bin");
  mkdirSync(binDir);
  symlinkSync(helmPath, path.join(binDir, "helm"));
  registry = await startRegistry({ workDir: path.join(work, "registry") });
  key = await throwawayKey(path.join(work, "publisher"), { name: "cross-tenant-volume readme test" });
  const publisher = new HelmClient({ helmPath, homeDir: path.join(work, "helm-publisher") });
  const archive = await publisher.package(CHART_DIR, {
    destination: path.join(work, "dist"),
    sign: { key: key.name, keyring: key.secring },
  });
  await publisher.registryLogin(registry.host, {
    username: registry.username,
    password: registry.password,
    caFile: registry.caFile,
  });
  await publisher.push(archive, `oci://${registry.host}/charts`, { caFile: registry.caFile });
  readme = readFileSync(path.join(CHART_DIR, "README.md"), "utf8");
  helmHome = path.join(work, "helm-user");
}, 600_000);

afterAll(async () => {
  await registry?.stop();
  await key?.dispose();
});

/** The README's placeholders filled with this test bed's registry and a namespace. */
function fill(command: string): string {
  return command
    .replaceAll("<registry>/<path>", `${registry.host}/charts`)
    .replaceAll("<registry>", registry.host)
    .replaceAll("<namespace>", NAMESPACE);
}

/** What only this test bed adds to a command: the registry's CA, the password on stdin, no cluster. */
function testBedArgs(command: string): { extra: string; input?: string } {
  if (/^helm registry login /.test(command))
    return {
      extra: ` --username ${registry.username} --password-stdin --ca-file ${registry.caFile}`,
      input: registry.password,
    };
  if (/^helm show .*oci:\/\//.test(command)) return { extra: ` --ca-file ${registry.caFile}` };
  if (/^helm install .*oci:\/\//.test(command)) return { extra: ` --ca-file ${registry.caFile} --dry-run=client` };
  return { extra: "" };
}

/** The values file the README's first install names: the one the bootstrap writes (here for fileshare-nfs). */
async function bootstrapValues(dir: string): Promise<void> {
  const sim = createSimulatedAzure();
  const outcome = await runBootstrap(sim.writeConfig("fileshare-nfs"), {
    runner: sim.inProcessRunner,
    env: sim.env,
    write: () => {},
    retryBaseMs: 1,
  });
  copyFileSync(outcome.valuesFile!, path.join(dir, "values.yaml"));
}

describe("the chart README's commands (helm show readme), from the packaged chart in an OCI registry", () => {
  it("splits blocks into commands: continuations joined, comments dropped", () => {
    expect(commandsOf("a \\\n  b   # c\n# d\n\ne\n")).toEqual(["a b", "e"]);
  });

  it("each runs as written and in order in an empty directory, but the ones that need a cluster", async () => {
    const dir = path.join(work, "user");
    mkdirSync(dir);
    // What the README says a user has: the release's public key, and the values file the bootstrap wrote.
    copyFileSync(key.publicKeyAsc, path.join(dir, "public-key.asc"));
    await bootstrapValues(dir);
    const env = {
      PATH: `${binDir}:${process.env.PATH}`,
      HELM_CONFIG_HOME: path.join(helmHome, "config"),
      HELM_CACHE_HOME: path.join(helmHome, "cache"),
      HELM_DATA_HOME: path.join(helmHome, "data"),
      KUBECONFIG: path.join(dir, "no-cluster"),
    };
    const skipped: [string, string][] = [];
    const ran: { command: string; stdout: string }[] = [];
    for (const block of fencedBlocks(readme)) {
      // A values block is the file the next install names.
      if (block.lang === "yaml") writeFileSync(path.join(dir, "values.yaml"), block.text);
      if (block.lang !== "sh") continue;
      for (const command of commandsOf(block.text)) {
        const why = needs(command);
        if (why) {
          skipped.push([command, why]);
          continue;
        }
        const { extra, input } = testBedArgs(command);
        const r = await execa("sh", ["-c", fill(command) + extra], {
          cwd: dir,
          env,
          reject: false,
          ...(input ? { input } : {}),
        });
        expect(r.exitCode, `${command}\n${r.stderr}`).toBe(0);
        ran.push({ command, stdout: r.stdout });
      }
    }
    expect(skipped).toEqual([
      ["helm test data -n <namespace> --logs", "a cluster: it runs the installed release's test pod"],
    ]);

    // What ran: the README shown from the registry is this README; every install verified the signature and
    // rendered a PersistentVolume of its mode.
    expect(ran.map((r) => r.command.split(" ").slice(0, 3).join(" "))).toEqual([
      "gpg --dearmor <",
      "helm registry login",
      "helm show readme",
      "helm install data",
      "helm install data",
      "helm install data",
      "helm install data",
    ]);
    expect(ran.find((r) => r.command.startsWith("helm show readme"))!.stdout.trim()).toBe(readme.trim());
    const installs = ran.filter((r) => r.command.startsWith("helm install"));
    const modes = installs.map((r) => {
      const pv = parseManifests(
        r.stdout.slice(r.stdout.indexOf("MANIFEST:") + "MANIFEST:".length, r.stdout.indexOf("NOTES:")),
      ).find((o) => o.kind === "PersistentVolume") as { spec: { csi: { driver: string } } } | undefined;
      return pv?.spec.csi.driver;
    });
    expect(modes).toEqual(["file.csi.azure.com", "blob.csi.azure.com", "file.csi.azure.com", "blob.csi.azure.com"]);
  }, 300_000);
});

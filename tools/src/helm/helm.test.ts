// Unit tests for the helm wrapper: argv it builds, environment it passes, and how failures are typed.
import { describe, expect, it } from "vitest";
import { ToolError } from "../errors.ts";
import type { RunOptions, RunResult, Runner } from "../exec/run.ts";
import { HelmClient, chartErrors, classifyHelmFailure } from "./helm.ts";

function fakeRunner(reply: Partial<RunResult> = {}): {
  runner: Runner;
  calls: Array<{ command: string; args: readonly string[]; options?: RunOptions }>;
} {
  const calls: Array<{ command: string; args: readonly string[]; options?: RunOptions }> = [];
  const runner: Runner = async (command, args, options) => {
    calls.push({ command, args, options });
    return { command, args, exitCode: 0, stdout: "", stderr: "", ...reply };
  };
  return { runner, calls };
}

describe("HelmClient", () => {
  it("renders with values files in order, then --set overrides, in its own helm home", async () => {
    const { runner, calls } = fakeRunner({ stdout: "kind: PersistentVolume" });
    const helm = new HelmClient({ helmPath: "/opt/helm", runner, homeDir: "/tmp/hh" });
    const out = await helm.template("charts/x", {
      releaseName: "data",
      namespace: "ns",
      valuesFiles: ["a.yaml", "b.yaml"],
      set: { mode: "blob-nfs" },
    });
    expect(out).toBe("kind: PersistentVolume");
    expect(calls[0]?.command).toBe("/opt/helm");
    expect(calls[0]?.args).toEqual([
      "template",
      "data",
      "charts/x",
      "--namespace",
      "ns",
      "--values",
      "a.yaml",
      "--values",
      "b.yaml",
      "--set",
      "mode=blob-nfs",
    ]);
    expect(calls[0]?.options?.env).toMatchObject({
      HELM_CONFIG_HOME: "/tmp/hh/config",
      HELM_DATA_HOME: "/tmp/hh/data",
      HELM_CACHE_HOME: "/tmp/hh/cache",
    });
    expect(calls[0]?.options?.env?.KUBECONFIG).toBeUndefined();
  });

  it("refuses cluster commands without a kubeconfig, before running helm", async () => {
    const { runner, calls } = fakeRunner();
    const helm = new HelmClient({ helmPath: "/opt/helm", runner });
    await expect(helm.install("data", "c", { namespace: "ns" })).rejects.toMatchObject({ code: "PRECONDITION" });
    expect(calls).toHaveLength(0);
  });

  it("passes the kubeconfig and --wait/--timeout to install", async () => {
    const { runner, calls } = fakeRunner();
    const helm = new HelmClient({ helmPath: "/opt/helm", runner, kubeconfig: "/k/config" });
    await helm.install("data", "c", {
      namespace: "ns",
      createNamespace: true,
      wait: true,
      timeout: "3m0s",
      valuesFiles: ["v.yaml"],
    });
    expect(calls[0]?.args).toEqual([
      "install",
      "data",
      "c",
      "--namespace",
      "ns",
      "--values",
      "v.yaml",
      "--wait",
      "--timeout",
      "3m0s",
      "--create-namespace",
    ]);
    expect(calls[0]?.options?.env?.KUBECONFIG).toBe("/k/config");
  });

  it("builds upgrade, uninstall, test and client-side dry-run command lines", async () => {
    const { runner, calls } = fakeRunner();
    const helm = new HelmClient({ helmPath: "h", runner, kubeconfig: "/k" });
    await helm.upgrade("data", "c", { namespace: "ns", install: true, valuesFiles: ["v.yaml"], wait: true });
    await helm.uninstall("data", { namespace: "ns", wait: true, timeout: "2m0s" });
    await helm.test("data", { namespace: "ns", timeout: "5m0s", logs: true });
    await new HelmClient({ helmPath: "h", runner }).installDryRun("data", "c", {
      namespace: "ns",
      valuesFiles: ["v.yaml"],
    });
    expect(calls.map((c) => c.args.join(" "))).toEqual([
      "upgrade data c --namespace ns --values v.yaml --wait --install",
      "uninstall data --namespace ns --wait --timeout 2m0s",
      "test data --namespace ns --timeout 5m0s --logs",
      "install data c --namespace ns --dry-run=client --values v.yaml",
    ]);
    expect(calls[3]?.options?.env?.KUBECONFIG).toBeUndefined();
  });

  it("builds package --sign, registry login (password on stdin), push, show, pull --verify and install from a registry", async () => {
    const { runner, calls } = fakeRunner({ stdout: "Successfully packaged chart and saved it to: /d/c-0.1.0.tgz" });
    const helm = new HelmClient({ helmPath: "h", runner, kubeconfig: "/k" });
    expect(await helm.package("charts/c", { destination: "/d", sign: { key: "me", keyring: "/s.gpg" } })).toBe(
      "/d/c-0.1.0.tgz",
    );
    await helm.registryLogin("127.0.0.1:5000", { username: "u", password: "p4ss", caFile: "/ca.crt" });
    await helm.push("/d/c-0.1.0.tgz", "oci://127.0.0.1:5000/charts", { caFile: "/ca.crt" });
    await helm.show("readme", "oci://r/c", { version: "0.1.0", caFile: "/ca.crt" });
    await helm.pull("oci://r/c", { version: "0.1.0", destination: "/p", verifyKeyring: "/pub.gpg" });
    await helm.install("data", "oci://r/c", {
      namespace: "ns",
      chartVersion: "0.1.0",
      verifyKeyring: "/pub.gpg",
      caFile: "/ca.crt",
    });
    expect(calls.map((c) => c.args.join(" "))).toEqual([
      "package charts/c --destination /d --sign --key me --keyring /s.gpg",
      "registry login 127.0.0.1:5000 --username u --password-stdin --ca-file /ca.crt",
      "push /d/c-0.1.0.tgz oci://127.0.0.1:5000/charts --ca-file /ca.crt",
      "show readme oci://r/c --ca-file /ca.crt --version 0.1.0",
      "pull oci://r/c --destination /p --version 0.1.0 --verify --keyring /pub.gpg",
      "install data oci://r/c --namespace ns --ca-file /ca.crt --version 0.1.0 --verify --keyring /pub.gpg",
    ]);
    expect(calls[1]?.options?.input).toBe("p4ss");
    expect(calls.flatMap((c) => c.args)).not.toContain("p4ss");
  });

  it("returns lint findings and throws INVALID_INPUT with the [ERROR] lines when lint fails", async () => {
    const ok = new HelmClient({
      helmPath: "h",
      runner: fakeRunner({
        stdout: "==> Linting c\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed",
      }).runner,
    });
    expect(await ok.lint("c")).toEqual(["[INFO] Chart.yaml: icon is recommended"]);
    const bad = new HelmClient({
      helmPath: "h",
      runner: fakeRunner({
        exitCode: 1,
        stdout: "[ERROR] templates/: parse error in x.yaml\n\nError: 1 chart(s) linted, 1 chart(s) failed",
      }).runner,
    });
    const err = await bad.lint("c").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect((err as ToolError).code).toBe("INVALID_INPUT");
    expect((err as ToolError).message).toContain("[ERROR] templates/: parse error in x.yaml");
  });
});

describe("classifyHelmFailure", () => {
  const fail = (stderr: string, cmd = "template") => classifyHelmFailure([cmd], { exitCode: 1, stderr, stdout: "" });

  it("turns the chart's own validation failure into INVALID_INPUT carrying only the chart's message", () => {
    const err = fail(
      "Error: execution error at (cross-tenant-volume/templates/_validate.tpl:10:5): ERROR: storage.accountName: is required. Set it.\n\nUse --debug flag to render out invalid YAML",
    );
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toBe("ERROR: storage.accountName: is required. Set it.");
  });

  it("turns a schema failure into INVALID_INPUT carrying Helm's message", () => {
    const err = fail(
      "Error: values don't meet the specifications of the schema(s) in the following chart(s):\ncross-tenant-volume:\n- storage: Additional property acountName is not allowed",
    );
    expect(err.code).toBe("INVALID_INPUT");
    expect(err.message).toContain("Additional property acountName is not allowed");
  });

  it("sorts unreachable clusters, name clashes, missing releases and timeouts", () => {
    expect(
      fail(
        'Error: Kubernetes cluster unreachable: Get "https://127.0.0.1:6443/version": dial tcp 127.0.0.1:6443: connect: connection refused',
        "install",
      ).code,
    ).toBe("PRECONDITION");
    expect(fail("Error: INSTALLATION FAILED: cannot re-use a name that is still in use", "install").code).toBe(
      "CONFLICT",
    );
    expect(
      fail(
        'Error: INSTALLATION FAILED: rendered manifests contain a resource that already exists. Unable to continue with install: PersistentVolume "pv" in namespace "" exists and cannot be imported into the current release',
        "install",
      ).code,
    ).toBe("CONFLICT");
    expect(fail("Error: uninstall: Release not loaded: data: release: not found", "uninstall").code).toBe("NOT_FOUND");
    expect(fail("Error: INSTALLATION FAILED: context deadline exceeded", "install").code).toBe("TIMED_OUT");
    expect(fail("Error: something new", "install").code).toBe("COMMAND_FAILED");
  });

  it("sorts refused provenance, refused credentials and untrusted certificates, keeping Helm's message", () => {
    const tampered = classifyHelmFailure(["install", "x", "oci://r/c", "--verify"], {
      exitCode: 1,
      stdout: "",
      stderr: 'Error: INSTALLATION FAILED: sha256 sum does not match for c-0.1.0.tgz: "sha256:aa" != "sha256:bb"',
    });
    expect(tampered).toMatchObject({
      code: "CONFLICT",
      message: expect.stringContaining("sha256 sum does not match for c-0.1.0.tgz"),
    });
    expect(
      classifyHelmFailure(["pull", "oci://r/c", "--verify"], {
        exitCode: 1,
        stdout: "",
        stderr: "Error: openpgp: signature made by unknown entity",
      }).message,
    ).toContain("openpgp: signature made by unknown entity");
    expect(fail('Error: GET "https://r/v2/c/manifests/0.1.0": basic credential not found', "show").code).toBe(
      "NOT_LOGGED_IN",
    );
    expect(
      fail("Error: tls: failed to verify certificate: x509: certificate signed by unknown authority", "push").code,
    ).toBe("PRECONDITION");
  });

  it("extracts every chart message from mixed output", () => {
    expect(chartErrors("x ERROR: a.b: bad. Fix it.\ny ERROR: c: worse. Fix that.")).toEqual([
      "ERROR: a.b: bad. Fix it.",
      "ERROR: c: worse. Fix that.",
    ]);
  });
});

// The local provider's promises about the host: `down` leaves no process, mount, interface or
// iptables rule behind, `up` refuses a taken port by name, and `up` is idempotent. Runs only when
// global-setup brought up the local cluster itself, and leaves it up (with images) for later files.
import net from "node:net";
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { LocalProvider } from "../../tools/src/cluster/local/local-provider.ts";
import { defaultPorts } from "../../tools/src/cluster/local/config.ts";
import { buildImages } from "../../tools/src/images/build.ts";
import { ToolError } from "../../tools/src/errors.ts";

const quiet = () => undefined;

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(port, "0.0.0.0", () => resolve(server));
  });
}

describe.runIf(inject("CTV_CLUSTER_MANAGED") === "local")("the local provider on this host", () => {
  const provider = new LocalProvider({ log: quiet });

  it("finds the running cluster healthy and returns the same kubeconfig from a second up", async () => {
    const status = await provider.status();
    expect(status.running).toBe(true);
    const started = Date.now();
    const info = await provider.up();
    expect(info.kubeconfigPath).toBe(inject("CTV_KUBECONFIG"));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("leaves no process, mount, network interface or iptables rule behind after down", async () => {
    await provider.down();
    const left = await provider.leftovers();
    expect(left).toEqual({ processes: [], mounts: [], interfaces: [], iptables: [], paths: [] });
    expect((await provider.status()).running).toBe(false);
  });

  it("refuses to start when a port it needs is taken, naming the port and the process", async () => {
    const blocker = await listen(defaultPorts.apiserver);
    try {
      const err = await provider.up().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(ToolError);
      expect((err as ToolError).code).toBe("CONFLICT");
      expect((err as ToolError).message).toMatch(
        new RegExp(
          `Port ${defaultPorts.apiserver} \\(for kube-apiserver\\) is in use by node \\(pid ${process.pid}\\)`,
        ),
      );
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
    expect(await provider.leftovers()).toMatchObject({ processes: [], mounts: [], interfaces: [] });
  });

  it("comes back up with the same node, issuer and kubeconfig path", async () => {
    const info = await provider.up();
    expect(info).toEqual({
      provider: "local",
      kubeconfigPath: inject("CTV_KUBECONFIG"),
      serviceAccountIssuer: inject("CTV_SA_ISSUER"),
      nodeName: inject("CTV_NODE_NAME"),
    });
    const images = await buildImages();
    await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
    expect((await provider.status()).running).toBe(true);
  });
});

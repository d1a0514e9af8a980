// The kind provider's promises about the host: a second `up` finds the cluster, `down` leaves no
// node container, network, engine process, mount or Docker iptables rule behind, and `up` brings
// the same cluster back. Runs only when global-setup brought up a kind cluster itself, and leaves it
// up (with images) for later files.
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { KindProvider } from "../../tools/src/cluster/kind/kind-provider.ts";
import { buildImages } from "../../tools/src/images/build.ts";

const quiet = () => undefined;

describe.runIf(inject("CTV_CLUSTER_MANAGED") === "kind")("the kind provider on this host", () => {
  const provider = new KindProvider({ log: quiet });

  it("finds the running cluster healthy and returns the same kubeconfig from a second up", async () => {
    expect((await provider.status()).running).toBe(true);
    const started = Date.now();
    const info = await provider.up();
    expect(info.kubeconfigPath).toBe(inject("CTV_KUBECONFIG"));
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it("leaves no container, network, engine process, mount or iptables rule behind after down", async () => {
    await provider.down();
    expect(await provider.leftovers()).toEqual({
      containers: [],
      networks: [],
      processes: [],
      mounts: [],
      iptables: [],
    });
    expect((await provider.status()).running).toBe(false);
  });

  it("comes back up with the same node and kubeconfig path", async () => {
    const info = await provider.up();
    expect(info).toMatchObject({
      provider: "kind",
      kubeconfigPath: inject("CTV_KUBECONFIG"),
      nodeName: inject("CTV_NODE_NAME"),
    });
    const images = await buildImages();
    await provider.loadImages([images.pause, images.demo, ...(images.csi ? [images.csi] : [])]);
    expect((await provider.status()).running).toBe(true);
  });
});

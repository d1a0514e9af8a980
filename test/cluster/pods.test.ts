// Pods run from the offline demo image on the node, with an emptyDir and readable logs, and can
// reach the API server through the `kubernetes` Service (as in-cluster clients do).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { demoImage } from "../../tools/src/images/names.ts";
import { giveUp } from "../../tools/src/wait/poll.ts";
import { clusterClients, createNamespace, restrictedContainer, waitFor } from "./support.ts";

describe("pods", () => {
  const { core } = clusterClients();
  let namespace = "";

  beforeAll(async () => {
    namespace = await createNamespace(core, "ctv-pods");
  });
  afterAll(async () => {
    if (namespace) await core.deleteNamespace({ name: namespace });
  });

  it("runs a pod with an emptyDir from the offline image and reads its logs", async () => {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "writer" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "main",
              image: demoImage,
              imagePullPolicy: "Never",
              command: ["/bin/sh", "-c", "echo kept-in-emptydir > /scratch/note && cat /scratch/note && id -u"],
              volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
              securityContext: restrictedContainer,
            },
          ],
          volumes: [{ name: "scratch", emptyDir: {} }],
        },
      },
    });
    const pod = await waitFor("pod writer to succeed", 120_000, async () => {
      const p = await core.readNamespacedPod({ name: "writer", namespace });
      if (p.status?.phase === "Failed") giveUp(`pod failed: ${JSON.stringify(p.status)}`);
      return p.status?.phase === "Succeeded" ? p : false;
    });
    expect(pod.spec?.nodeName).toBe(inject("CTV_NODE_NAME"));
    const logs = await core.readNamespacedPodLog({ name: "writer", namespace });
    expect(logs.trim().split("\n")).toEqual(["kept-in-emptydir", "65534"]);
  });

  it("reaches the API server through the kubernetes Service", async () => {
    await core.createNamespacedPod({
      namespace,
      body: {
        metadata: { name: "in-cluster" },
        spec: {
          restartPolicy: "Never",
          containers: [
            {
              name: "main",
              image: demoImage,
              imagePullPolicy: "Never",
              // The JWKS is public, so an unauthenticated request through the Service IP suffices.
              command: [
                "/bin/sh",
                "-c",
                "wget -q -O- --no-check-certificate https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/openid/v1/jwks",
              ],
              securityContext: restrictedContainer,
            },
          ],
        },
      },
    });
    await waitFor("pod in-cluster to finish", 120_000, async () => {
      const p = await core.readNamespacedPod({ name: "in-cluster", namespace });
      return p.status?.phase === "Succeeded" || p.status?.phase === "Failed" ? p : false;
    });
    const logs = await core.readNamespacedPodLog({ name: "in-cluster", namespace });
    const jwks = JSON.parse(logs) as { keys: Array<{ kty: string }> };
    expect(jwks.keys[0]?.kty).toBe("RSA");
  });
});

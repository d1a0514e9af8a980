// The cluster's certificates and keys, made with the openssl CLI: one CA, a serving or client
// certificate per component, kubeconfigs embedding them, and the service-account signing key pair.
import { existsSync, mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { run as defaultRun, type Runner } from "../../exec/run.ts";
import {
  apiserverURL,
  certSpecs,
  kubeconfigYaml,
  layout,
  type CertSpec,
  type KubeconfigUser,
  type LocalClusterConfig,
} from "./config.ts";

/** The X.509 v3 extensions of one certificate, in openssl's config syntax. */
export function extensionsFor(spec: CertSpec): string {
  const usage = { server: "serverAuth", client: "clientAuth", both: "serverAuth,clientAuth" }[spec.usage];
  const lines = [
    "basicConstraints=critical,CA:FALSE",
    "keyUsage=critical,digitalSignature,keyEncipherment",
    `extendedKeyUsage=${usage}`,
  ];
  const sans = [...(spec.dnsNames ?? []).map((d) => `DNS:${d}`), ...(spec.ips ?? []).map((ip) => `IP:${ip}`)];
  if (sans.length > 0) lines.push(`subjectAltName=${sans.join(",")}`);
  return `${lines.join("\n")}\n`;
}

/** openssl's -subj form; the organization becomes the Kubernetes group. */
export function subjectFor(spec: Pick<CertSpec, "commonName" | "organization">): string {
  return `${spec.organization ? `/O=${spec.organization}` : ""}/CN=${spec.commonName}`;
}

const kubeconfigUsers: Record<KubeconfigUser, string> = {
  admin: "admin",
  "controller-manager": "controller-manager",
  scheduler: "scheduler",
  kubelet: "kubelet",
  "kube-proxy": "kube-proxy",
};

/** Creates whatever is missing under the state's pki directory and writes the kubeconfigs. */
export async function ensurePki(c: LocalClusterConfig, run: Runner = defaultRun): Promise<void> {
  const l = layout(c);
  mkdirSync(l.pki, { recursive: true, mode: 0o700 });
  const openssl = (args: string[]) => run("openssl", args, { timeoutMs: 60_000 });
  const ecKey = (file: string) =>
    openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", file]);

  if (!existsSync(l.cert("ca"))) {
    await ecKey(l.key("ca"));
    await openssl([
      "req",
      "-x509",
      "-new",
      "-key",
      l.key("ca"),
      "-subj",
      "/CN=ctv-local-ca",
      "-days",
      "3650",
      "-out",
      l.cert("ca"),
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign,digitalSignature",
    ]);
  }
  // Service-account tokens are signed with RS256, the algorithm every OIDC verifier accepts.
  if (!existsSync(l.saPublicKey)) {
    await openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", l.key("sa")]);
    await openssl(["pkey", "-in", l.key("sa"), "-pubout", "-out", l.saPublicKey]);
  }
  for (const spec of certSpecs(c)) {
    if (existsSync(l.cert(spec.name))) continue;
    const csr = path.join(l.pki, `${spec.name}.csr`);
    const ext = path.join(l.pki, `${spec.name}.ext`);
    await ecKey(l.key(spec.name));
    await openssl(["req", "-new", "-key", l.key(spec.name), "-subj", subjectFor(spec), "-out", csr]);
    writeFileSync(ext, extensionsFor(spec));
    await openssl([
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      l.cert("ca"),
      "-CAkey",
      l.key("ca"),
      "-set_serial",
      `0x${randomBytes(12).toString("hex")}`,
      "-days",
      "365",
      "-extfile",
      ext,
      "-out",
      l.cert(spec.name),
    ]);
    rmSync(csr);
    rmSync(ext);
  }
  const caPem = readFileSync(l.cert("ca"), "utf8");
  for (const [user, certName] of Object.entries(kubeconfigUsers) as Array<[KubeconfigUser, string]>) {
    writeFileSync(
      l.kubeconfig(user),
      kubeconfigYaml({
        server: apiserverURL(c),
        caPem,
        certPem: readFileSync(l.cert(certName), "utf8"),
        keyPem: readFileSync(l.key(certName), "utf8"),
        user,
      }),
      { mode: 0o600 },
    );
  }
}

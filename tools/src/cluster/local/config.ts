// The local cluster's layout and every file and command line it runs with, as pure functions of
// one LocalClusterConfig: nothing here touches the machine, so it can be printed and unit-tested.
import path from "node:path";
import yaml from "js-yaml";
import { sandboxImage } from "../../images/names.ts";

/**
 * The PV controller's resync period on both test clusters. A claim whose first sync comes before its
 * pre-bound PV reaches the controller's cache (helm creates them milliseconds apart) binds only on a
 * resync: 15 s by default, which a pod or a test waiting for the claim then waits too.
 */
export const pvClaimBinderSyncPeriod = "2s";
export interface LocalPorts {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kubelet: number;
  kubeletHealthz: number;
  proxyHealthz: number;
  proxyMetrics: number;
}

export interface LocalClusterConfig {
  /** Certificates, configs, data, logs and pid files; removed by `down`. */
  stateDir: string;
  /** Sockets and containerd's runtime state. */
  runDir: string;
  /** kubelet's root; the real default, because CSI drivers register under it by that path. */
  kubeletDir: string;
  nodeName: string;
  nodeIP: string;
  ports: LocalPorts;
  serviceCIDR: string;
  /** The first address of serviceCIDR: the `kubernetes` Service, put into the apiserver certificate. */
  kubernetesServiceIP: string;
  podCIDR: string;
  bridgeName: string;
}

export const defaultPorts: LocalPorts = {
  etcdClient: 23790,
  etcdPeer: 23800,
  apiserver: 16443,
  controllerManager: 20257,
  scheduler: 20259,
  kubelet: 20250,
  kubeletHealthz: 20248,
  proxyHealthz: 20256,
  proxyMetrics: 20249,
};

export const defaultStateDir = "/var/lib/ctv-cluster";

export function localClusterConfig(nodeIP: string, overrides: Partial<LocalClusterConfig> = {}): LocalClusterConfig {
  return {
    stateDir: process.env.CTV_CLUSTER_STATE_DIR ?? defaultStateDir,
    runDir: "/run/ctv-cluster",
    kubeletDir: "/var/lib/kubelet",
    nodeName: "ctv-node",
    nodeIP,
    ports: defaultPorts,
    serviceCIDR: "10.97.0.0/16",
    kubernetesServiceIP: "10.97.0.1",
    podCIDR: "10.244.0.0/24",
    bridgeName: "ctv0",
    ...overrides,
  };
}

/** Every path the cluster writes, derived from the config. */
export function layout(c: LocalClusterConfig) {
  const pki = path.join(c.stateDir, "pki");
  return {
    pki,
    info: path.join(c.stateDir, "cluster.json"),
    hostSnapshot: path.join(c.stateDir, "host-before.json"),
    logs: path.join(c.stateDir, "logs"),
    pids: path.join(c.stateDir, "pids"),
    etcdData: path.join(c.stateDir, "etcd"),
    containerdRoot: path.join(c.stateDir, "containerd"),
    containerdState: path.join(c.runDir, "containerd"),
    containerdConfig: path.join(c.stateDir, "containerd.toml"),
    containerdSocket: path.join(c.runDir, "containerd.sock"),
    cniConfDir: path.join(c.stateDir, "cni", "net.d"),
    cniIpamDir: path.join(c.stateDir, "cni", "ipam"),
    kubeletConfig: path.join(c.stateDir, "kubelet.yaml"),
    proxyConfig: path.join(c.stateDir, "kube-proxy.yaml"),
    adminKubeconfig: path.join(c.stateDir, "admin.kubeconfig"),
    kubeconfig: (user: KubeconfigUser) => path.join(c.stateDir, `${user}.kubeconfig`),
    saPublicKey: path.join(pki, "sa.pub"),
    cert: (name: string) => path.join(pki, `${name}.crt`),
    key: (name: string) => path.join(pki, `${name}.key`),
  };
}

export type KubeconfigUser = "admin" | "controller-manager" | "scheduler" | "kubelet" | "kube-proxy";

export function apiserverURL(c: LocalClusterConfig): string {
  return `https://${c.nodeIP}:${c.ports.apiserver}`;
}

/** The service-account issuer: the API server itself, which serves discovery and the JWKS. */
export function serviceAccountIssuer(c: LocalClusterConfig): string {
  return apiserverURL(c);
}

export interface CertSpec {
  name: string;
  commonName: string;
  organization?: string;
  usage: "server" | "client" | "both";
  dnsNames?: string[];
  ips?: string[];
}

/** The certificates the cluster needs, all signed by one CA; client identities follow Kubernetes' conventions. */
export function certSpecs(c: LocalClusterConfig): CertSpec[] {
  const local = { dnsNames: ["localhost", c.nodeName], ips: ["127.0.0.1", c.nodeIP] };
  return [
    { name: "etcd-server", commonName: "etcd", usage: "both", ...local },
    { name: "apiserver-etcd-client", commonName: "kube-apiserver-etcd-client", usage: "client" },
    {
      name: "apiserver",
      commonName: "kube-apiserver",
      usage: "server",
      dnsNames: [
        "localhost",
        c.nodeName,
        "kubernetes",
        "kubernetes.default",
        "kubernetes.default.svc",
        "kubernetes.default.svc.cluster.local",
      ],
      ips: ["127.0.0.1", c.nodeIP, c.kubernetesServiceIP],
    },
    // The API server calls kubelets (logs, exec) as this user; system:masters passes kubelet's webhook authorization.
    {
      name: "apiserver-kubelet-client",
      commonName: "kube-apiserver-kubelet-client",
      organization: "system:masters",
      usage: "client",
    },
    { name: "admin", commonName: "ctv-admin", organization: "system:masters", usage: "client" },
    { name: "controller-manager", commonName: "system:kube-controller-manager", usage: "client" },
    { name: "scheduler", commonName: "system:kube-scheduler", usage: "client" },
    { name: "kube-proxy", commonName: "system:kube-proxy", usage: "client" },
    // The Node authorizer and NodeRestriction recognise a kubelet by exactly this name and group.
    { name: "kubelet", commonName: `system:node:${c.nodeName}`, organization: "system:nodes", usage: "client" },
    { name: "kubelet-serving", commonName: c.nodeName, usage: "server", ...local },
    // Health checks of the controller manager and scheduler go to 127.0.0.1 over TLS.
    { name: "controller-manager-serving", commonName: "kube-controller-manager", usage: "server", ...local },
    { name: "scheduler-serving", commonName: "kube-scheduler", usage: "server", ...local },
  ];
}

/** A kubeconfig with the CA and the client certificate embedded, so it works from any directory. */
export function kubeconfigYaml(opts: {
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
  user: string;
}): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  return yaml.dump({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "ctv-local", cluster: { server: opts.server, "certificate-authority-data": b64(opts.caPem) } }],
    users: [
      { name: opts.user, user: { "client-certificate-data": b64(opts.certPem), "client-key-data": b64(opts.keyPem) } },
    ],
    contexts: [{ name: "ctv-local", context: { cluster: "ctv-local", user: opts.user } }],
    "current-context": "ctv-local",
  });
}

export function containerdConfigToml(c: LocalClusterConfig): string {
  const l = layout(c);
  const q = JSON.stringify;
  return `# Generated by the ctv local cluster: a private containerd, separate from any system one.
version = 2
root = ${q(l.containerdRoot)}
state = ${q(l.containerdState)}
disabled_plugins = ["io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs", "io.containerd.internal.v1.tracing", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${q(l.containerdSocket)}

[ttrpc]
  address = ${q(`${l.containerdSocket}.ttrpc`)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(path.join(l.containerdRoot, "opt"))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(sandboxImage)}
  # Root here lacks CAP_SYS_RESOURCE, so the kernel refuses the negative oom_score_adj kubelet asks
  # for sandboxes and Guaranteed pods; clamp to containerd's own value instead of failing every pod.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        BinaryName = "/usr/sbin/runc"
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(l.cniConfDir)}
`;
}

/** A bridge network with host-local addresses, the loopback and portmap plugins (hostPort support). */
export function cniConflist(c: LocalClusterConfig): string {
  const l = layout(c);
  return JSON.stringify(
    {
      cniVersion: "1.0.0",
      name: "ctv",
      plugins: [
        {
          type: "bridge",
          bridge: c.bridgeName,
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: {
            type: "host-local",
            ranges: [[{ subnet: c.podCIDR }]],
            routes: [{ dst: "0.0.0.0/0" }],
            dataDir: l.cniIpamDir,
          },
        },
        { type: "portmap", capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  );
}

export function kubeletConfigYaml(c: LocalClusterConfig): string {
  const l = layout(c);
  return yaml.dump({
    apiVersion: "kubelet.config.k8s.io/v1beta1",
    kind: "KubeletConfiguration",
    address: "0.0.0.0",
    port: c.ports.kubelet,
    readOnlyPort: 0,
    healthzBindAddress: "127.0.0.1",
    healthzPort: c.ports.kubeletHealthz,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: true }, x509: { clientCAFile: l.cert("ca") } },
    authorization: { mode: "Webhook" },
    tlsCertFile: l.cert("kubelet-serving"),
    tlsPrivateKeyFile: l.key("kubelet-serving"),
    containerRuntimeEndpoint: `unix://${l.containerdSocket}`,
    cgroupDriver: "cgroupfs",
    // This host is cgroup v1; 1.34 still runs there, and the flag keeps 1.35+ from refusing.
    failCgroupV1: false,
    failSwapOn: false,
    resolvConf: "/etc/resolv.conf",
    clusterDomain: "cluster.local",
    // Offline images cannot be pulled again, so image garbage collection must never remove them.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: {
      "memory.available": "100Mi",
      "nodefs.available": "1%",
      "imagefs.available": "1%",
      "nodefs.inodesFree": "1%",
    },
    // Leave the host's kernel settings (panic, overcommit) alone; `down` must find them unchanged.
    protectKernelDefaults: false,
    makeIPTablesUtilChains: true,
    serializeImagePulls: false,
    registerNode: true,
    rotateCertificates: false,
    serverTLSBootstrap: false,
  });
}

export function kubeProxyConfigYaml(c: LocalClusterConfig): string {
  const l = layout(c);
  return yaml.dump({
    apiVersion: "kubeproxy.config.k8s.io/v1alpha1",
    kind: "KubeProxyConfiguration",
    mode: "iptables",
    clientConnection: { kubeconfig: l.kubeconfig("kube-proxy") },
    hostnameOverride: c.nodeName,
    bindAddress: "127.0.0.1",
    healthzBindAddress: `127.0.0.1:${c.ports.proxyHealthz}`,
    metricsBindAddress: `127.0.0.1:${c.ports.proxyMetrics}`,
    clusterCIDR: c.podCIDR,
    // Zeros tell kube-proxy not to change the host's conntrack sysctls.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: "0s", tcpCloseWaitTimeout: "0s" },
    iptables: { localhostNodePorts: false, masqueradeAll: false },
  });
}

export type Component =
  | "etcd"
  | "containerd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kube-proxy"
  | "kubelet";

/** Start order; `down` stops them in reverse. */
export const componentOrder: Component[] = [
  "etcd",
  "containerd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kube-proxy",
  "kubelet",
];

export interface ComponentCommand {
  component: Component;
  command: string;
  args: string[];
  env?: Record<string, string>;
}

type Layout = ReturnType<typeof layout>;

/** etcd on loopback only, with client and peer TLS. */
function etcdArgs(c: LocalClusterConfig, l: Layout): string[] {
  const etcdURL = `https://127.0.0.1:${c.ports.etcdClient}`;
  return [
    "--name=ctv",
    `--data-dir=${l.etcdData}`,
    `--listen-client-urls=${etcdURL}`,
    `--advertise-client-urls=${etcdURL}`,
    `--listen-peer-urls=https://127.0.0.1:${c.ports.etcdPeer}`,
    `--initial-advertise-peer-urls=https://127.0.0.1:${c.ports.etcdPeer}`,
    `--initial-cluster=ctv=https://127.0.0.1:${c.ports.etcdPeer}`,
    `--cert-file=${l.cert("etcd-server")}`,
    `--key-file=${l.key("etcd-server")}`,
    `--trusted-ca-file=${l.cert("ca")}`,
    "--client-cert-auth=true",
    `--peer-cert-file=${l.cert("etcd-server")}`,
    `--peer-key-file=${l.key("etcd-server")}`,
    `--peer-trusted-ca-file=${l.cert("ca")}`,
    "--peer-client-cert-auth=true",
    "--snapshot-count=10000",
  ];
}

/** The API server: etcd over TLS, Node and RBAC authorization, and the service account issuer the tokens carry. */
function apiserverArgs(c: LocalClusterConfig, l: Layout): string[] {
  const issuer = serviceAccountIssuer(c);
  return [
    "kube-apiserver",
    `--etcd-servers=https://127.0.0.1:${c.ports.etcdClient}`,
    `--etcd-cafile=${l.cert("ca")}`,
    `--etcd-certfile=${l.cert("apiserver-etcd-client")}`,
    `--etcd-keyfile=${l.key("apiserver-etcd-client")}`,
    "--bind-address=0.0.0.0",
    `--advertise-address=${c.nodeIP}`,
    `--secure-port=${c.ports.apiserver}`,
    `--tls-cert-file=${l.cert("apiserver")}`,
    `--tls-private-key-file=${l.key("apiserver")}`,
    `--client-ca-file=${l.cert("ca")}`,
    `--kubelet-client-certificate=${l.cert("apiserver-kubelet-client")}`,
    `--kubelet-client-key=${l.key("apiserver-kubelet-client")}`,
    `--kubelet-certificate-authority=${l.cert("ca")}`,
    "--kubelet-preferred-address-types=InternalIP",
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    `--service-account-issuer=${issuer}`,
    `--service-account-jwks-uri=${issuer}/openid/v1/jwks`,
    `--service-account-key-file=${l.saPublicKey}`,
    `--service-account-signing-key-file=${l.key("sa")}`,
    `--service-cluster-ip-range=${c.serviceCIDR}`,
    "--allow-privileged=true",
    "--profiling=false",
  ];
}

/** A control-plane component's kubeconfig, used for authentication and authorization too. */
function kubeconfigAuth(l: Layout, user: KubeconfigUser): string[] {
  return [
    `--kubeconfig=${l.kubeconfig(user)}`,
    `--authentication-kubeconfig=${l.kubeconfig(user)}`,
    `--authorization-kubeconfig=${l.kubeconfig(user)}`,
  ];
}

/** The controller manager: its controllers use per-controller service account credentials; it signs certificates with the cluster CA. */
function controllerManagerArgs(c: LocalClusterConfig, l: Layout): string[] {
  return [
    "kube-controller-manager",
    ...kubeconfigAuth(l, "controller-manager"),
    "--bind-address=127.0.0.1",
    `--secure-port=${c.ports.controllerManager}`,
    `--tls-cert-file=${l.cert("controller-manager-serving")}`,
    `--tls-private-key-file=${l.key("controller-manager-serving")}`,
    `--client-ca-file=${l.cert("ca")}`,
    `--service-account-private-key-file=${l.key("sa")}`,
    `--root-ca-file=${l.cert("ca")}`,
    "--use-service-account-credentials=true",
    `--cluster-signing-cert-file=${l.cert("ca")}`,
    `--cluster-signing-key-file=${l.key("ca")}`,
    `--service-cluster-ip-range=${c.serviceCIDR}`,
    "--allocate-node-cidrs=false",
    `--pvclaimbinder-sync-period=${pvClaimBinderSyncPeriod}`,
    "--leader-elect=false",
    "--profiling=false",
  ];
}

/** The command line of each component. */
export function componentCommands(c: LocalClusterConfig, kubeBinary: string): ComponentCommand[] {
  const l = layout(c);
  return [
    { component: "etcd", command: "/usr/bin/etcd", args: etcdArgs(c, l) },
    { component: "containerd", command: "/usr/bin/containerd", args: [`--config=${l.containerdConfig}`] },
    { component: "kube-apiserver", command: kubeBinary, args: apiserverArgs(c, l) },
    { component: "kube-controller-manager", command: kubeBinary, args: controllerManagerArgs(c, l) },
    {
      component: "kube-scheduler",
      command: kubeBinary,
      args: [
        "kube-scheduler",
        ...kubeconfigAuth(l, "scheduler"),
        "--bind-address=127.0.0.1",
        `--secure-port=${c.ports.scheduler}`,
        `--tls-cert-file=${l.cert("scheduler-serving")}`,
        `--tls-private-key-file=${l.key("scheduler-serving")}`,
        `--client-ca-file=${l.cert("ca")}`,
        "--leader-elect=false",
        "--profiling=false",
      ],
    },
    { component: "kube-proxy", command: kubeBinary, args: ["kube-proxy", `--config=${l.proxyConfig}`] },
    {
      component: "kubelet",
      command: kubeBinary,
      args: [
        "kubelet",
        `--config=${l.kubeletConfig}`,
        `--kubeconfig=${l.kubeconfig("kubelet")}`,
        `--root-dir=${c.kubeletDir}`,
        `--hostname-override=${c.nodeName}`,
        `--node-ip=${c.nodeIP}`,
      ],
    },
  ];
}

/** Ports each component listens on, checked before start so a clash is reported by name. */
export function componentPorts(c: LocalClusterConfig): Array<{ component: Component; port: number }> {
  const p = c.ports;
  return [
    { component: "etcd", port: p.etcdClient },
    { component: "etcd", port: p.etcdPeer },
    { component: "kube-apiserver", port: p.apiserver },
    { component: "kube-controller-manager", port: p.controllerManager },
    { component: "kube-scheduler", port: p.scheduler },
    { component: "kube-proxy", port: p.proxyHealthz },
    { component: "kube-proxy", port: p.proxyMetrics },
    { component: "kubelet", port: p.kubelet },
    { component: "kubelet", port: p.kubeletHealthz },
  ];
}

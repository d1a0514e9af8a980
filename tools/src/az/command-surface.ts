// The az commands this project uses and the options each one takes (as in the real Azure CLI 2.91):
// the fake az parses against this table and `surface.ts` checks it against the real CLI, so it lives
// here, beside the product's az wrapper, and the simulator imports it (never the other way round).

export interface OptSpec {
  /** Long and short spellings, e.g. ["--name", "-n"]. The first is canonical. */
  names: string[];
  /** No value (`--yes`), one value (default), or several (`--tags a=b c=d`). */
  arity?: "flag" | "one" | "many" | "optional-bool";
  required?: boolean;
  choices?: readonly string[];
}

/** Options every az command accepts. */
export const GLOBAL_OPTS: OptSpec[] = [
  { names: ["--output", "-o"], choices: ["json", "jsonc", "none", "table", "tsv", "yaml", "yamlc"] },
  { names: ["--query"] },
  { names: ["--only-show-errors"], arity: "flag" },
  { names: ["--debug"], arity: "flag" },
  { names: ["--verbose"], arity: "flag" },
];

export interface CommandSurface {
  opts: OptSpec[];
  /** Whether the command changes Azure (the fake az records it as a mutation and can crash there). */
  mutating: boolean;
  /** Commands through ARM accept --subscription (the real CLI adds it to every ARM command). */
  arm?: boolean;
}

const o = (names: string[], extra: Omit<OptSpec, "names"> = {}): OptSpec => ({ names, ...extra });
const req = (names: string[], extra: Omit<OptSpec, "names"> = {}): OptSpec => ({ names, required: true, ...extra });
const NAME = ["--name", "-n"];
const RG = ["--resource-group", "-g"];
const ID = req(["--id"]);
const TAGS = o(["--tags"], { arity: "many" });
const LOCATION = o(["--location", "-l"]);
const YES = o(["--yes", "-y"], { arity: "flag" });
const ASSIGNEE = [o(["--assignee"]), o(["--assignee-object-id"])];
const ROOT_SQUASH = o(["--root-squash"], { choices: ["AllSquash", "NoRootSquash", "RootSquash"] });
const SUBSCRIPTION = ["--subscription", "-s", "--name", "-n"];
/** A resource named in a resource group (`show` of most ARM resources). */
const NAMED_IN_RG = [req(NAME), req(RG)];
/** A container or share: named, inside a storage account. */
const IN_ACCOUNT = [req(NAME), req(["--storage-account"]), o(RG)];
/** A subnet or peering: named, inside a VNet. */
const IN_VNET = [...NAMED_IN_RG, req(["--vnet-name"])];
/** A VNet link or record set: named, inside a private DNS zone. */
const IN_ZONE = [...NAMED_IN_RG, req(["--zone-name", "-z"])];
/** One address of an A record set (`add-record`, `remove-record` name the set --record-set-name, not --name). */
const A_RECORD = [req(["--record-set-name", "-n"]), req(RG), req(["--zone-name", "-z"]), req(["--ipv4-address", "-a"])];
/** A private endpoint connection: by --id, or by the resource it belongs to. */
const CONNECTION = [o(["--id"]), o(NAME), o(RG), o(["--resource-name"]), o(["--type"])];
/** Storage account settings `create` and `update` both take. */
const ACCOUNT_SETTINGS = [
  o(["--allow-shared-key-access"], { arity: "optional-bool" }),
  o(["--https-only"], { arity: "optional-bool" }),
  o(["--public-network-access"], { choices: ["Enabled", "Disabled", "SecuredByPerimeter"] }),
  o(["--default-action"], { choices: ["Allow", "Deny"] }),
  o(["--min-tls-version"], { choices: ["TLS1_0", "TLS1_1", "TLS1_2", "TLS1_3"] }),
  o(["--allow-blob-public-access"], { arity: "optional-bool" }),
];

const read = (opts: OptSpec[], arm = true): CommandSurface => ({ opts, mutating: false, arm });
const write = (opts: OptSpec[], arm = true): CommandSurface => ({ opts, mutating: true, arm });
const graphRead = (opts: OptSpec[]) => read(opts, false);
const graphWrite = (opts: OptSpec[]) => write(opts, false);

/** Every az command the bootstrap, teardown and doctor may run, and the fake az answers. */
export const AZ_COMMANDS = {
  login: graphRead([
    o(["--tenant", "-t"]),
    o(["--use-device-code"], { arity: "flag" }),
    o(["--allow-no-subscriptions"], { arity: "flag" }),
  ]),
  "account show": graphRead([o(SUBSCRIPTION)]),
  "account set": graphRead([req(SUBSCRIPTION)]),

  "aks show": read(NAMED_IN_RG),
  // Doctor's fixes for the cluster's OIDC issuer, workload identity and AKS-managed CSI drivers.
  "aks update": write([
    ...NAMED_IN_RG,
    ...[
      "--enable-oidc-issuer",
      "--enable-workload-identity",
      "--disable-workload-identity",
      "--enable-blob-driver",
      "--disable-blob-driver",
      "--enable-file-driver",
      "--disable-file-driver",
      "--no-wait",
    ].map((flag) => o([flag], { arity: "flag" })),
    YES,
  ]),

  "ad app list": graphRead([
    o(["--display-name"]),
    o(["--app-id"]),
    o(["--all"], { arity: "flag" }),
    o(["--show-mine"], { arity: "flag" }),
  ]),
  "ad app show": graphRead([ID]),
  "ad app create": graphWrite([
    req(["--display-name"]),
    o(["--sign-in-audience"], {
      choices: [
        "AzureADMyOrg",
        "AzureADMultipleOrgs",
        "AzureADandPersonalMicrosoftAccount",
        "PersonalMicrosoftAccount",
      ],
    }),
    o(["--service-management-reference"]),
  ]),
  // A generic update (azure-cli role/commands.py: generic_update_command('update', custom_func_name='update_application')).
  "ad app update": graphWrite([
    ID,
    o(["--sign-in-audience"], {
      choices: [
        "AzureADMyOrg",
        "AzureADMultipleOrgs",
        "AzureADandPersonalMicrosoftAccount",
        "PersonalMicrosoftAccount",
      ],
    }),
    o(["--set"], { arity: "many" }),
    o(["--add"], { arity: "many" }),
    o(["--remove"], { arity: "many" }),
    o(["--force-string"], { arity: "flag" }),
  ]),
  "ad app delete": graphWrite([ID]),
  "ad app federated-credential list": graphRead([ID]),
  "ad app federated-credential create": graphWrite([ID, req(["--parameters"])]),
  "ad app federated-credential update": graphWrite([ID, req(["--federated-credential-id"]), req(["--parameters"])]),
  "ad app federated-credential delete": graphWrite([ID, req(["--federated-credential-id"])]),
  "ad sp show": graphRead([ID]),
  "ad sp create": graphWrite([ID]),
  "ad sp update": graphWrite([
    ID,
    o(["--set"], { arity: "many" }),
    o(["--add"], { arity: "many" }),
    o(["--remove"], { arity: "many" }),
    o(["--force-string"], { arity: "flag" }),
  ]),
  "ad sp delete": graphWrite([ID]),
  // The bootstrap's check of its own rights: who is signed in (azure-cli role/commands.py: ad signed-in-user show).
  "ad signed-in-user show": graphRead([]),

  "group show": read([req(["--name", "-n", "--resource-group", "-g"])]),
  "group create": write([req(["--name", "-n", "--resource-group", "-g"]), req(["--location", "-l"]), TAGS]),

  "storage account show": read([req(NAME), o(RG)]),
  "storage account check-name": read([req(NAME)]),
  "storage account create": write([
    ...NAMED_IN_RG,
    LOCATION,
    o(["--kind"], { choices: ["BlobStorage", "BlockBlobStorage", "FileStorage", "Storage", "StorageV2"] }),
    o(["--sku"], {
      choices: [
        "Premium_LRS",
        "Premium_ZRS",
        "Standard_GRS",
        "Standard_GZRS",
        "Standard_LRS",
        "Standard_RAGRS",
        "Standard_RAGZRS",
        "Standard_ZRS",
      ],
    }),
    ...ACCOUNT_SETTINGS,
    o(["--enable-hierarchical-namespace", "--hns", "--hierarchical-namespace"], { arity: "optional-bool" }),
    o(["--enable-nfs-v3"], { arity: "optional-bool" }),
    TAGS,
  ]),
  "storage account update": write([req(NAME), o(RG), ...ACCOUNT_SETTINGS]),
  "storage account delete": write([req(NAME), o(RG), YES]),
  "storage container-rm list": read([req(["--storage-account"]), o(RG), o(["--include-deleted"], { arity: "flag" })]),
  "storage container-rm show": read(IN_ACCOUNT),
  "storage container-rm create": write([
    ...IN_ACCOUNT,
    o(["--public-access"], { choices: ["blob", "container", "off"] }),
    ROOT_SQUASH,
    o(["--fail-on-exist"], { arity: "flag" }),
  ]),
  "storage share-rm list": read([
    req(["--storage-account"]),
    o(RG),
    o(["--include-deleted"], { arity: "flag" }),
    o(["--include-snapshot"], { arity: "flag" }),
  ]),
  "storage share-rm show": read(IN_ACCOUNT),
  "storage share-rm create": write([
    ...IN_ACCOUNT,
    o(["--enabled-protocols"], { choices: ["NFS", "SMB"] }),
    o(["--quota", "-q"]),
    ROOT_SQUASH,
  ]),

  "role assignment list": read([
    ...ASSIGNEE,
    o(["--role"]),
    o(["--scope"]),
    o(RG),
    o(["--all"], { arity: "flag" }),
    o(["--include-inherited"], { arity: "flag" }),
    o(["--include-groups"], { arity: "flag" }),
  ]),
  "role assignment create": write([
    req(["--role"]),
    ...ASSIGNEE,
    o(["--assignee-principal-type"], { choices: ["ForeignGroup", "Group", "ServicePrincipal", "User"] }),
    o(["--scope"]),
    o(["--description"]),
    o(NAME),
  ]),
  "role assignment delete": write([o(["--ids"], { arity: "many" }), ...ASSIGNEE, o(["--role"]), o(["--scope"]), YES]),

  "network vnet show": read(NAMED_IN_RG),
  "network vnet subnet show": read(IN_VNET),
  "network vnet peering show": read(IN_VNET),
  "network vnet peering list": read([req(RG), req(["--vnet-name"])]),
  "network vnet peering create": write([
    ...IN_VNET,
    req(["--remote-vnet"]),
    o(["--allow-vnet-access"], { arity: "optional-bool" }),
    o(["--allow-forwarded-traffic"], { arity: "optional-bool" }),
  ]),
  "network vnet peering delete": write(IN_VNET),
  "network private-endpoint show": read(NAMED_IN_RG),
  "network private-endpoint delete": write(NAMED_IN_RG),
  "network private-endpoint create": write([
    ...NAMED_IN_RG,
    req(["--subnet"]),
    o(["--vnet-name"]),
    req(["--private-connection-resource-id"]),
    req(["--connection-name"]),
    o(["--group-id", "--group-ids"], { arity: "many" }),
    o(["--manual-request"], { arity: "optional-bool" }),
    o(["--request-message"]),
    LOCATION,
    TAGS,
  ]),
  "network private-endpoint-connection list": read(CONNECTION.filter((x) => x.names[0] !== "--resource-name")),
  "network private-endpoint-connection show": read(CONNECTION),
  "network private-endpoint-connection approve": write([...CONNECTION, o(["--description", "-d"])]),
  "network private-endpoint-connection reject": write([...CONNECTION, o(["--description", "-d"])]),
  "network private-endpoint dns-zone-group show": read([...NAMED_IN_RG, req(["--endpoint-name"])]),
  "network private-endpoint dns-zone-group create": write([
    ...NAMED_IN_RG,
    req(["--endpoint-name"]),
    req(["--private-dns-zone"]),
    req(["--zone-name"]),
  ]),

  "network private-dns zone show": read(NAMED_IN_RG),
  "network private-dns zone create": write([...NAMED_IN_RG, TAGS]),
  "network private-dns link vnet show": read(IN_ZONE),
  "network private-dns link vnet list": read([req(RG), req(["--zone-name", "-z"])]),
  "network private-dns link vnet create": write([
    ...IN_ZONE,
    req(["--virtual-network", "-v"]),
    req(["--registration-enabled", "-e"], { choices: ["true", "false"] }),
    TAGS,
  ]),
  "network private-dns record-set a show": read(IN_ZONE),
  "network private-dns record-set a add-record": write([...A_RECORD]),
  "network private-dns record-set a update": write([...IN_ZONE, o(["--set"], { arity: "many" })]),
  "network private-dns record-set a remove-record": write([
    ...A_RECORD,
    o(["--keep-empty-record-set"], { arity: "flag" }),
  ]),
} satisfies Record<string, CommandSurface>;

export type AzCommandName = keyof typeof AZ_COMMANDS;

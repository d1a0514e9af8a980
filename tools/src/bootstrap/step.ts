// The data a bootstrap plan is made of: steps you can print, snapshot and diff. Placeholders like
// {{appId}} in argv are values earlier steps read from Azure; apply fills them in.

export type TenantKey = "tenant1" | "tenant2";

/** Picks the one element of a list answer that the step is about (all `where` paths must match, case-insensitively). */
export interface Select {
  where: Record<string, string>;
}

export interface Capture {
  /** Variable name, used as {{name}} in later steps. */
  name: string;
  /** Dotted path into the answer (after `select`), e.g. "oidcIssuerProfile.issuerUrl" or "[0].appId". */
  path: string;
  /** "check": from the check's answer (even when it says a change is needed); "result": from whichever answer describes the resource. */
  from?: "check" | "result";
  /** From a subnet id: the VNet's id, resource group or name. */
  transform?: "vnet-of-subnet" | "vnet-resource-group-of-subnet" | "vnet-name-of-subnet";
}

export interface Expectation {
  path: string;
  /** Value the resource must have (compared as strings, case-sensitively), or... */
  equals?: string | boolean | null;
  notEquals?: string | boolean | null;
  /** ...one of these values... */
  oneOf?: string[];
  /** ...a Kubernetes version it must be at least. */
  atLeastVersion?: string;
  severity: "error" | "warning";
  problem: string;
  hint: string;
}

export interface Step {
  /** Stable id, e.g. "tenant2/storage-account". */
  id: string;
  tenant: TenantKey;
  /** preflight steps run first, in both tenants, and only read. */
  phase: "preflight" | "main";
  /** read: argv only reads. write: argv changes Azure. local: argv changes only the local az config. */
  kind: "read" | "write" | "local";
  /** What the step does, for progress lines ("creating storage account sa2"). */
  action: string;
  why: string;
  /** The az command (without `az`). For writes, run only when `check` says the change is needed. */
  argv: string[];
  check?: {
    argv: string[];
    select?: Select;
    /** Extra conditions the selected answer must meet to count as already done. */
    doneWhen?: Record<string, string>;
    /** The selected item must exist (it is made by an earlier step and may take a while to show up): re-read with backoff. */
    waitForItem?: string;
    /**
     * Read first when the record says this step created an object (`{{recordedId}}` is its id): a lookup by name
     * may lag behind a create and answer `[]`, and must not make the run create a second one.
     */
    byRecordedId?: string[];
    /**
     * After a create, read again and stop if more than one object matches (a run elsewhere created one at the same
     * time), printing `deleteArgv` (`{{duplicateId}}`: the other one's id) for the user to run if it is not someone's.
     */
    reportDuplicates?: { deleteArgv: string[] };
  };
  /**
   * Before a create: every item of the check's list counts toward Azure's limit of `max` per parent. The run says
   * how many are used, and stops with `hint` when none is free.
   */
  limit?: {
    max: number;
    what: string;
    parent: string;
    hint: string;
    /**
     * Values Azure allows only once per parent: an item already holding them (under another name) stops the run
     * with `hint` (`{{existingName}}`: that item's name).
     */
    unique?: { where: Record<string, string>; hint: string };
  };
  /**
   * When `check` finds the object but `doneWhen` is not met: the command that brings it back in line
   * (instead of `argv`, which creates it), e.g. shared key access turned back on, a credential's subject edited.
   */
  update?: {
    argv: string[];
    action: string;
    /** Only for an object the record says this step created; a brought one is refused by `brought` instead of changed. */
    onlyIfCreated?: boolean;
    /** With onlyIfCreated: an object of the same name the record did not create stops the run with this hint (never rewritten). */
    foreignHint?: string;
  };
  /**
   * Expectations that hold only for a brought object (the record does not say step `createdBy` made it):
   * the bootstrap refuses to change a brought object's security settings and says how to fix them.
   */
  brought?: { createdBy: string; expect: Expectation[] };
  captures?: Capture[];
  /** Checked against the resource when it already exists (or, for reads, against the answer). */
  expect?: Expectation[];
  /** Checked against what the step's `check` found, before anything changes (reads: a brought resource; writes: a state no run can repair). */
  checkExpect?: Expectation[];
  /** For a login check: what to do besides logging in when it fails (said after the login commands). */
  loginHint?: string;
  /** For reads: what it means when the object read does not exist (a preflight finding with its fix). */
  absent?: { problem: string; hint: string };
  /**
   * Variables the step cannot run without that Azure may not answer (an endpoint's IP): when one is unknown
   * and no planned change would provide it, the step is skipped with a warning naming the problem, not a stop.
   */
  needs?: { vars: string[]; problem: string; hint: string };
  /** A warning the step gives on every run, plan and check: a config choice that gives up a safe default. */
  warning?: { problem: string; hint: string };
  /** Failures worth retrying with backoff, besides throttling (always retried). */
  retryOn?: ("principal-not-found" | "not-found")[];
  /**
   * Runs only when the record says step `step` created the very object whose id is now in `idVar`
   * (marking what the bootstrap made; a brought object, or one a record merely names, is never marked).
   */
  onlyIfCreatedBy?: { step: string; idVar: string };
  /**
   * Runs of any config on this machine whose steps name the same key take turns at them (the find-or-create of an
   * app by name: two first runs at once would each create one).
   */
  machineLock?: string;
  /** What teardown may undo, when this step created it. */
  creates?: {
    kind:
      | "app"
      | "federated-credential"
      | "service-principal"
      | "role-assignment"
      | "resource-group"
      | "storage-account"
      | "network";
    /** Variable holding the created object's Azure id (object id or resource id), kept in the record. */
    idVar?: string;
    label: string;
    /** What teardown needs to find the object again when a run stopped before its id came back (placeholders allowed). */
    ref?: Record<string, string>;
  };
  dependsOn: string[];
}

export interface Plan {
  mode: string;
  steps: Step[];
}

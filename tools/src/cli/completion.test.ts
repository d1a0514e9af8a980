// The completion scripts `ctv completion bash|zsh` print, run in the real shells: what they offer after
// a given command line.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bashCompletion, zshCompletion } from "./completion.ts";
import { buildProgram } from "./program.ts";

const dir = mkdtempSync(join(tmpdir(), "ctv-completion-"));
// The shells complete in a directory holding one file and one subdirectory.
const cwd = mkdtempSync(join(tmpdir(), "ctv-completion-cwd-"));
writeFileSync(join(cwd, "bootstrap.yaml"), "mode: blob-nfs\n");
mkdirSync(join(cwd, "out"));
const program = buildProgram();

/** What bash offers for `line` (the cursor at its end; a trailing space starts a new word). */
function bash(line: string): string[] {
  const script = join(dir, "ctv.bash");
  writeFileSync(script, bashCompletion(program));
  const words = line.split(" ");
  const out = execFileSync(
    "bash",
    [
      "-c",
      `source "$1"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _ctv_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
      "_",
      script,
    ],
    { encoding: "utf8", cwd },
  );
  return out.split("\n").filter(Boolean);
}

const hasZsh = spawnSync("zsh", ["-c", "true"]).status === 0;

/** What zsh offers for `line`, with the completion system's functions replaced by ones that print. */
function zsh(line: string): string[] {
  const script = join(dir, "_ctv");
  writeFileSync(script, zshCompletion(program));
  const words = line.split(" ");
  const stubs = [
    "compdef() { :; }",
    "_describe() { local arr=${@[-1]}; local e; for e in ${(P)arr}; do print -r -- ${e%%:*}; done; }",
    "compadd() { shift; print -l -- $@; }",
    '_files() { print "FILES $*"; }',
    '_message() { print "MESSAGE $*"; }',
  ].join("\n");
  const out = execFileSync(
    "zsh",
    [
      "-f",
      "-c",
      `${stubs}\nsource "$1"\nwords=(${words.map((w) => `'${w}'`).join(" ")}); CURRENT=${words.length}\n_ctv`,
      "_",
      script,
    ],
    { encoding: "utf8" },
  );
  return out.split("\n").filter(Boolean);
}

describe("bash completion", () => {
  it("offers the commands, then a group's subcommands", () => {
    expect(bash("ctv ")).toEqual(
      expect.arrayContaining([
        "bootstrap",
        "teardown",
        "doctor",
        "cluster",
        "demo",
        "soak",
        "setup",
        "gen",
        "csi-driver",
        "completion",
      ]),
    );
    expect(bash("ctv b")).toEqual(["bootstrap"]);
    expect(bash("ctv cluster d")).toEqual(["down", "diagnostics"]);
  });
  it("offers a command's options, and an option's choices", () => {
    expect(bash("ctv bootstrap --")).toEqual([
      "--config",
      "--dry-run",
      "--check",
      "--json",
      "--out",
      "--plan",
      "--side",
      "--request",
      "--response",
      "--yes",
      "--lock-wait",
      "--help",
      "--version",
    ]);
    expect(bash("ctv bootstrap --side ")).toEqual(["aks", "storage"]);
    expect(bash("ctv demo --mode blob-")).toEqual(["blob-fuse-wi", "blob-nfs"]);
    expect(bash("ctv demo --down --mode blob-nfs --provider ")).toEqual(["local", "kind"]);
    expect(bash("ctv cluster up -p k")).toEqual(["kind"]);
    expect(bash("ctv completion ")).toEqual(expect.arrayContaining(["bash", "zsh"]));
  });
  it("offers files only where the option takes a file or directory, nothing for a number or a name", () => {
    expect(bash("ctv bootstrap --config ").sort()).toEqual(["bootstrap.yaml", "out"]);
    expect(bash("ctv release --out ")).toEqual(["out"]);
    expect(bash("ctv bootstrap --lock-wait ")).toEqual([]);
    expect(bash("ctv doctor --release ")).toEqual([]);
    expect(bash("ctv doctor --namespace ")).toEqual([]);
  });
});

describe.skipIf(!hasZsh)("zsh completion (needs zsh)", () => {
  it("offers the commands, a group's subcommands, options and choices", () => {
    expect(zsh("ctv ")).toEqual([
      "init",
      "bootstrap",
      "teardown",
      "doctor",
      "validate",
      "cluster",
      "demo",
      "soak",
      "setup",
      "gen",
      "release",
      "csi-driver",
      "completion",
    ]);
    expect(zsh("ctv cluster ")).toEqual(["up", "down", "status", "images", "diagnostics"]);
    expect(zsh("ctv teardown --")).toEqual([
      "-c",
      "--config",
      "--side",
      "--request",
      "--delete-storage",
      "-y",
      "--yes",
      "--also-delete-foreign-data",
      "--dry-run",
      "--json",
      "--lock-wait",
      "-h",
      "--help",
      "-V",
      "--version",
    ]);
    expect(zsh("ctv demo --mode ")).toEqual(["blob-fuse-wi", "fileshare-nfs", "blob-nfs"]);
    expect(zsh("ctv teardown --side ")).toEqual(["aks", "storage"]);
    expect(zsh("ctv doctor --side ")).toEqual(["aks", "storage"]);
    expect(zsh("ctv bootstrap --config ")).toEqual(["FILES "]);
    expect(zsh("ctv release --out ")).toEqual(["FILES -/"]);
  });

  it("offers no files for a value that is a number or a name, only what it wants", () => {
    for (const line of ["ctv bootstrap --lock-wait ", "ctv doctor --release ", "ctv doctor --namespace "])
      expect(zsh(line), line).toEqual([expect.stringMatching(/^MESSAGE -r \S/)]);
  });
});

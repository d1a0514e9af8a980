// `ctv init` writes a starter config where the user is, never over their file, never into node_modules.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { parseConfig } from "../bootstrap/config.ts";
import { MODES } from "../schema/modes.ts";
import { writeStarterConfig } from "./init.ts";

describe("ctv init", () => {
  it.each(MODES)("writes a %s config the bootstrap accepts, with run lines for the file it wrote", (mode) => {
    const cwd = mkdtempSync(path.join(tmpdir(), "ctv-init-"));
    const file = writeStarterConfig({ mode, output: "bootstrap.yaml", force: false, cwd });
    expect(file).toBe(path.join(cwd, "bootstrap.yaml"));
    const text = readFileSync(file, "utf8");
    expect(text).toContain("npx ctv bootstrap --config bootstrap.yaml --dry-run");
    expect(text).not.toContain("examples/");
    expect(parseConfig(yaml.load(text), cwd, file).mode).toBe(mode);
  });

  it("keeps an existing file unless --force, and writes nothing inside node_modules", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "ctv-init-"));
    writeFileSync(path.join(cwd, "bootstrap.yaml"), "mine\n");
    expect(() => writeStarterConfig({ mode: "blob-nfs", output: "bootstrap.yaml", force: false, cwd })).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", hint: expect.stringContaining("--force") }),
    );
    expect(readFileSync(path.join(cwd, "bootstrap.yaml"), "utf8")).toBe("mine\n");
    writeStarterConfig({ mode: "blob-nfs", output: "bootstrap.yaml", force: true, cwd });
    expect(readFileSync(path.join(cwd, "bootstrap.yaml"), "utf8")).toMatch(/^# /);

    const pkg = path.join(cwd, "node_modules", "aks-cross-tenant-storage");
    mkdirSync(pkg, { recursive: true });
    expect(() => writeStarterConfig({ mode: "blob-nfs", output: "x.yaml", force: false, cwd: pkg })).toThrow(
      /inside node_modules/,
    );
  });

  it("the bootstrap refuses a config or output inside node_modules, naming ctv init", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "ctv-init-"));
    const file = writeStarterConfig({ mode: "blob-nfs", output: "bootstrap.yaml", force: false, cwd });
    const config = yaml.load(readFileSync(file, "utf8"));
    const inside = path.join(cwd, "node_modules", "aks-cross-tenant-storage", "examples");
    expect(() => parseConfig(config, inside, path.join(inside, "bootstrap.blob-nfs.yaml"))).toThrow(
      expect.objectContaining({ code: "INVALID_INPUT", hint: expect.stringContaining("ctv init --mode") }),
    );
    expect(() => parseConfig(config, cwd, file)).not.toThrow();
  });
});

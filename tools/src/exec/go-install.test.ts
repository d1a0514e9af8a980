// Unit tests for finding the Go toolchain that builds the pinned Go programs.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { goBinary } from "./go-install.ts";

describe("goBinary", () => {
  it("prefers CTV_GO, then go on PATH", () => {
    expect(goBinary({ CTV_GO: "/opt/go/bin/go", PATH: "" })).toBe("/opt/go/bin/go");
    const dir = mkdtempSync(join(tmpdir(), "ctv-path-"));
    writeFileSync(join(dir, "go"), "#!/bin/sh\n", { mode: 0o755 });
    expect(goBinary({ PATH: dir })).toBe("go");
  });
});

// The bootstrap promises of docs/bootstrap.md are listed in docs/development.md with the test that proves each one,
// as (proof: `file` › "test name").
// This keeps the citations true: every cited file exists and still holds a test of that name.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../paths.ts";

const root = repoRoot;
const page = readFileSync(join(root, "docs", "development.md"), "utf8");
const section = page.slice(page.indexOf("## Where the bootstrap's promises are tested"));
const proofs = [...section.matchAll(/proof: `([^`]+)` › "([^"]+)"/g)].map((m) => ({ file: m[1]!, name: m[2]! }));

describe("the bootstrap safety promises of docs/bootstrap.md, as docs/development.md cites their tests", () => {
  it("cite tests for: teardown keeps what it did not create, pending entries, the lock, reruns, quoting, the retry budget, config checks", () => {
    const files = new Set(proofs.map((p) => p.file));
    for (const f of [
      "tools/src/bootstrap/teardown.test.ts",
      "tools/src/bootstrap/lock.test.ts",
      "tools/src/bootstrap/apply.test.ts",
      "tools/src/az/shell.test.ts",
      "tools/src/bootstrap/config.property.test.ts",
    ]) {
      expect(files, f).toContain(f);
    }
    expect(proofs.length).toBeGreaterThanOrEqual(8);
  });

  it("cite tests that exist under those names", () => {
    for (const p of proofs) {
      expect(existsSync(join(root, p.file)), p.file).toBe(true);
      const text = readFileSync(join(root, p.file), "utf8");
      expect(
        text.includes(`it("${p.name}"`) ||
          text.includes(`it(\`${p.name}\``) ||
          new RegExp(`it\\(\`[^\`]*${p.name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\``).test(text),
        `${p.file} › ${p.name}`,
      ).toBe(true);
    }
  });
});

// Each Azure fact is written once, in its resource module: a role name, the token-exchange audience or a
// signInAudience value typed as a string literal anywhere else in the product code fails this test.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { TOKEN_EXCHANGE_AUDIENCE } from "./federated-credential.ts";
import { BLOB_DATA_ROLES } from "./role-assignment.ts";
import { SIGN_IN_AUDIENCES } from "./sign-in-audience.ts";

const SRC = path.resolve(import.meta.dirname, "../..");
const RESOURCES = path.relative(SRC, import.meta.dirname);

/**
 * Files below bootstrap/ in the import graph (architecture.test.ts: no two folders import each other), which
 * therefore cannot import the resource modules, and whose mention of a fact is not a rule the bootstrap applies.
 */
const BELOW_BOOTSTRAP: Record<string, string> = {
  "az/command-surface.ts": "the az CLI's own --sign-in-audience choices, checked against the real CLI (surface.ts)",
  "schema/prerequisites.ts": "prose for the generated install docs naming the role users grant",
};

/** Every product source file under tools/src, relative to it: tests and the resource modules aside. */
function productFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return productFiles(full);
    const rel = path.relative(SRC, full);
    const product = e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") && !(rel in BELOW_BOOTSTRAP);
    return product && !rel.startsWith(`${RESOURCES}/`) ? [rel] : [];
  });
}

/** The text of every string literal and template part in a file (comments are not literals). */
export function literals(source: string): string[] {
  const file = ts.createSourceFile("x.ts", source, ts.ScriptTarget.Latest, true);
  const out: string[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isStringLiteralLike(n) || ts.isTemplateLiteralToken(n)) out.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(file);
  return out;
}

/** A fact as a whole word of a literal (AzureADMyOrg must not match inside a longer name). */
function mentions(text: string, fact: string): boolean {
  return new RegExp(`(^|[^A-Za-z])${fact.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}($|[^A-Za-z])`).test(text);
}

const FACTS = [TOKEN_EXCHANGE_AUDIENCE, ...Object.keys(BLOB_DATA_ROLES), ...SIGN_IN_AUDIENCES];

function offenders(files: Record<string, string>): string[] {
  return Object.entries(files).flatMap(([file, text]) =>
    literals(text).flatMap((l) => FACTS.filter((f) => mentions(l, f)).map((f) => `${file}: '${f}'`)),
  );
}

describe("Azure facts written once", () => {
  it("keeps role names, the token-exchange audience and signInAudience values out of literals outside the resource modules", () => {
    const files = Object.fromEntries(productFiles().map((f) => [f, readFileSync(path.join(SRC, f), "utf8")]));
    expect(Object.keys(files).length).toBeGreaterThan(50);
    expect(offenders(files)).toEqual([]);
  });

  it("finds a fact typed again in a literal or a template, and ignores comments and longer names", () => {
    expect(
      offenders({
        "a.ts": 'const a = "api://AzureADTokenExchange";',
        "b.ts": "const b = `grant Storage Blob Data Reader on ${x}`;",
        "c.ts": '// AzureADMultipleOrgs in a comment\nconst c = "AzureADMyOrgX";',
        "d.ts": 'f(["--sign-in-audience", "AzureADandPersonalMicrosoftAccount"]);',
      }),
    ).toEqual([
      "a.ts: 'api://AzureADTokenExchange'",
      "b.ts: 'Storage Blob Data Reader'",
      "d.ts: 'AzureADandPersonalMicrosoftAccount'",
    ]);
  });
});

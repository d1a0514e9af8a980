// templates/_validate.tpl takes every regular expression from the generated rules (chart-rules.ts PATTERNS), so a
// pattern typed into the template, or one it no longer reads, fails here; generate.test.ts keeps
// _rules.generated.tpl equal to PATTERNS, and test/render/shared-patterns.test.ts checks what Helm reads from it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { chartRuleLists, PATTERNS } from "./chart-rules.ts";
import { CHART_DIR } from "../paths.ts";

const validateTpl = () => readFileSync(join(CHART_DIR, "templates", "_validate.tpl"), "utf8");

/** The calls of Sprig's regex functions whose pattern is typed into the template as a string literal. */
function literalPatterns(tpl: string): string[] {
  const calls = [...tpl.matchAll(/\bregex[A-Za-z]*\s+(\(printf\s+)?"((?:[^"\\]|\\.)*)"/g)];
  // A printf may only put quantifiers and anchors around the patterns it is given (`printf "^%s+|%s+$" $ws $ws`).
  return calls.filter(([, printf, text]) => !printf || !/^(%s|[+^|$])*$/.test(text ?? "")).map(([call]) => call);
}

describe("templates/_validate.tpl", () => {
  it("types no regular expression of its own", () => {
    expect(literalPatterns(validateTpl())).toEqual([]);
  });

  it("reads every pattern it uses from the generated rules, and uses every one", () => {
    const used = new Set([...validateTpl().matchAll(/\$re\.([A-Za-z]+)/g)].map((m) => m[1]));
    expect([...used].sort()).toEqual(Object.keys(PATTERNS).sort());
  });

  it("would be caught typing a pattern again", () => {
    expect(literalPatterns('{{- if regexMatch "^[a-z]+$" $x -}}')).toEqual(['regexMatch "^[a-z]+$"']);
    expect(literalPatterns('{{ regexSplit (printf "%s+" $ws) $o -1 }}')).toEqual([]);
    expect(literalPatterns('{{ regexSplit (printf "[a-z]%s+" $ws) $o -1 }}')).toEqual([
      'regexSplit (printf "[a-z]%s+"',
    ]);
  });
});

describe("chartRuleLists", () => {
  it("hands the template the patterns and the default image that checkValues uses", () => {
    const rules = chartRuleLists();
    expect(rules.patterns).toBe(PATTERNS);
    expect(rules.defaultImage).toEqual({ repository: "alpine", tag: "3.22" });
  });
});

// Every relative link in the README, docs/*.md, the changelog and the chart README points at a file
// that exists, and every #anchor at a heading of that page (GitHub's heading ids, github-slugger).
// The pages are parsed with marked, so links inside code are not links and links in tables are.
import { existsSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import GithubSlugger from "github-slugger";
import { type Token, marked } from "marked";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../../tools/src/paths.ts";

/** The text a heading shows, as GitHub slugs it: inline markup gone, code spans' text kept. */
function plainText(tokens: Token[] | undefined): string {
  return (tokens ?? [])
    .map((t) => ("tokens" in t && t.tokens ? plainText(t.tokens) : "text" in t ? String(t.text) : ""))
    .join("");
}

/** The ids GitHub gives the headings of a markdown page. */
export function headingIds(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  const ids = new Set<string>();
  marked.walkTokens(marked.lexer(markdown), (t) => {
    if (t.type === "heading") ids.add(slugger.slug(plainText(t.tokens)));
  });
  return ids;
}

/** Every link and image target of a markdown page. */
function linkTargets(markdown: string): string[] {
  const targets: string[] = [];
  marked.walkTokens(marked.lexer(markdown), (t) => {
    if (t.type === "link" || t.type === "image") targets.push(t.href);
  });
  return targets;
}

/** The relative links of one page that point nowhere, as "target: why". */
export function brokenLinks(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const broken: string[] = [];
  for (const href of linkTargets(text)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(href)) continue; // https:, mailto: and the like
    const [pathPart = "", anchor] = href.split("#", 2);
    const target = pathPart === "" ? file : resolve(dirname(file), decodeURIComponent(pathPart));
    if (!existsSync(target)) {
      broken.push(`${href}: no such file ${relative(repoRoot, target)}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!target.endsWith(".md") || statSync(target).isDirectory()) {
      broken.push(`${href}: an anchor into a file that is not a markdown page`);
      continue;
    }
    if (!headingIds(readFileSync(target, "utf8")).has(decodeURIComponent(anchor)))
      broken.push(`${href}: no heading #${anchor} in ${relative(repoRoot, target)}`);
  }
  return broken;
}

const docsDir = join(repoRoot, "docs");
const pages = [
  join(repoRoot, "README.md"),
  join(repoRoot, "CHANGELOG.md"),
  join(repoRoot, "charts", "cross-tenant-volume", "README.md"),
  ...readdirSync(docsDir)
    .filter((f) => f.endsWith(".md"))
    .map((f) => join(docsDir, f)),
];

describe("links between the docs", () => {
  it.each(pages.map((p) => relative(repoRoot, p)))(
    "%s: every relative link and anchor points at something that exists",
    (page) => {
      expect(brokenLinks(join(repoRoot, page))).toEqual([]);
    },
  );

  it("each docs page starts with its purpose and a link back to the README", () => {
    for (const page of pages.filter((p) => p.startsWith(docsDir))) {
      const [title, blank, purpose] = readFileSync(page, "utf8").split("\n");
      expect(title, page).toMatch(/^# \S/);
      expect(blank, page).toBe("");
      expect(purpose, page).toContain("[README](../README.md)");
    }
  });

  it("finds a missing file, a missing heading, and ignores links inside code", () => {
    const dir = mkdtempSync(join(tmpdir(), "ctv-links-"));
    writeFileSync(
      join(dir, "other.md"),
      "# Other page\n\n## The `ctv` command\n\n## Troubleshooting: which link is broken\n",
    );
    const page = join(dir, "page.md");
    writeFileSync(
      page,
      [
        "# Page",
        "[ok](other.md) [ok](other.md#the-ctv-command) [ok](#page) [ok](other.md#troubleshooting-which-link-is-broken) [web](https://example.org/x.md)",
        "| a | b |\n|---|---|\n| [gone](gone.md) | [bad anchor](other.md#nowhere) |",
        "`[not a link](missing.md)`",
        "```\n[not a link either](missing.md)\n```",
        "[own anchor](#no-such-heading)",
      ].join("\n\n"),
    );
    expect(brokenLinks(page)).toEqual([
      expect.stringMatching(/^gone\.md: no such file/),
      expect.stringMatching(/^other\.md#nowhere: no heading #nowhere/),
      expect.stringMatching(/^#no-such-heading: no heading/),
    ]);
  });
});

// Printing a plan for --dry-run: ordered, with tenant, command and why; placeholders shown as <name>.
import { shellWord } from "../az/shell.ts";
import type { ResourceDiff } from "./apply.ts";
import type { Plan, Step } from "./step.ts";

/**
 * One argv word, shell-quoted. Placeholders ({{name}}, filled from Azure at apply) show as <name>: bare
 * when the rest of the word needs no quoting, else inside the quotes. Either way the user substitutes them.
 */
function word(a: string): string {
  const shown = a.replace(/\{\{(\w+)\}\}/g, "<$1>");
  const literal = a.replace(/\{\{\w+\}\}/g, "");
  return shown !== a && (literal === "" || shellWord(literal) === literal) ? shown : shellWord(shown);
}

export function commandLine(argv: readonly string[]): string {
  return ["az", ...argv].map(word).join(" ");
}

export function formatPlan(plan: Plan): string {
  const lines = [
    `Plan for mode ${plan.mode}: ${plan.steps.length} steps. Nothing has been changed (dry run).`,
    "Tenant-1 and tenant-2 steps run side by side where they do not depend on each other; every change is checked first and skipped when already in place.",
    "",
  ];
  plan.steps.forEach((s: Step, i) => {
    const verb = s.kind === "read" ? "read" : s.kind === "local" ? "local" : "change";
    lines.push(
      `${String(i + 1).padStart(2)}. [${s.tenant}] ${s.action} (${verb}${s.phase === "preflight" ? ", before any change" : ""})`,
    );
    if (s.check) lines.push(`      check:  ${commandLine(s.check.argv)}`);
    lines.push(`      ${s.kind === "read" ? "run:   " : "change:"} ${commandLine(s.argv)}`);
    lines.push(`      why:    ${s.why}`);
  });
  return lines.join("\n");
}

const SIGN: Record<ResourceDiff["change"], string> = { create: "+", update: "~", unchanged: "=", unknown: "?" };

/** One value as the diff shows it: strings bare, anything else as JSON. */
function shown(v: unknown): string {
  return typeof v === "string" ? v : JSON.stringify(v);
}

/**
 * `bootstrap --dry-run`: what the reads found, per resource in the order a run would act on them: `+ create`,
 * `~ update field: now → wanted`, `= unchanged`, `? unknown until an earlier step runs`.
 */
export function formatDiff(mode: string, resources: ResourceDiff[], read = "both tenants hold"): string {
  const count = (c: ResourceDiff["change"]) => resources.filter((r) => r.change === c).length;
  const lines = [`Plan for mode ${mode}, from what ${read} now (read only; nothing was changed):`];
  for (const r of resources) {
    const after = r.change === "unknown" ? ` (unknown until ${r.after ?? "an earlier step"} runs)` : "";
    lines.push(`  ${SIGN[r.change]} ${r.tenant} ${r.action} [${r.step}]${after}`);
    for (const f of r.fields) lines.push(`      ~ ${f.field}: ${shown(f.now)} → ${shown(f.wanted)}`);
  }
  lines.push(
    `${count("create")} to create, ${count("update")} to update, ${count("unchanged")} unchanged, ${count("unknown")} unknown until an earlier step runs.`,
  );
  return lines.join("\n");
}

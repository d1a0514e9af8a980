// Doctor's report as a table for people: one row per check in chain order, the first broken link
// marked, its fix under it, and a summary line.
import type { DoctorReport, Verdict } from "./types.ts";

const LABEL: Record<Verdict, string> = { ok: "ok", broken: "BROKEN", unknown: "?" };

export function formatReport(r: DoctorReport, opts: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const idWidth = Math.max(...r.checks.map((c) => c.id.length), 10);
  const what =
    r.side === "storage"
      ? `storage side of ${r.request ?? "the request"}`
      : `release ${r.release} in namespace ${r.namespace}${r.side === "aks" ? ", AKS side" : ""}`;
  const lines = [`doctor: ${what}${r.mode ? ` (${r.mode})` : ""}`, ""];
  for (const c of r.checks) {
    const first = c.id === r.firstBroken;
    const mark = first ? ">" : " ";
    const verdict = LABEL[c.verdict].padEnd(6);
    const row = `${mark} ${verdict}  ${c.id.padEnd(idWidth)}  ${c.title}: ${c.why}`;
    lines.push(
      c.verdict === "broken" ? paint(first ? "1;31" : "31", row) : c.verdict === "unknown" ? paint("33", row) : row,
    );
    if (c.fix && (c.verdict === "broken" || c.verdict === "unknown")) {
      const indent = " ".repeat(12 + idWidth);
      lines.push(`${indent}fix: ${c.fix}`);
      // The commands, in order, each on its own line so it can be copied and run as printed.
      for (const [i, cmd] of (c.commands ?? []).entries()) lines.push(`${indent}  ${i + 1}. ${cmd}`);
    }
  }
  const { ok, broken, unknown } = r.summary;
  const first = r.checks.find((c) => c.id === r.firstBroken);
  lines.push(
    "",
    `${ok} ok, ${broken} broken, ${unknown} cannot tell${first ? `; first broken link: ${first.id} (${first.title})` : broken === 0 ? (r.azureChecked ? "; no broken link" : "; no broken link on the cluster side, but the Azure side was not checked (no --config), so doctor cannot tell whether the chain holds") : ""}. ${r.azCalls} az calls, ${r.kubeRequests.length} Kubernetes reads, ${(r.durationMs / 1000).toFixed(1)} s.`,
  );
  return lines.join("\n");
}

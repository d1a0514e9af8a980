// Doctor's report as a table for people: one row per check in chain order, the first broken link
// marked, its fix under it, and a summary line.
import type { DoctorReport, Verdict } from "./types.ts";

const LABEL: Record<Verdict, string> = { ok: "ok", broken: "BROKEN", unknown: "?" };

export function formatReport(r: DoctorReport, opts: { color?: boolean } = {}): string {
  const paint = (code: string, s: string) => (opts.color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const idWidth = Math.max(...r.checks.map((c) => c.id.length), 10);
  const lines = [`doctor: release ${r.release} in namespace ${r.namespace}${r.mode ? ` (${r.mode})` : ""}`, ""];
  for (const c of r.checks) {
    const first = c.id === r.firstBroken;
    const mark = first ? ">" : " ";
    const verdict = LABEL[c.verdict].padEnd(6);
    const row = `${mark} ${verdict}  ${c.id.padEnd(idWidth)}  ${c.title}: ${c.why}`;
    lines.push(
      c.verdict === "broken" ? paint(first ? "1;31" : "31", row) : c.verdict === "unknown" ? paint("33", row) : row,
    );
    if (c.fix && (c.verdict === "broken" || c.verdict === "unknown"))
      lines.push(`${" ".repeat(12 + idWidth)}fix: ${c.fix}`);
  }
  const { ok, broken, unknown } = r.summary;
  const first = r.checks.find((c) => c.id === r.firstBroken);
  lines.push(
    "",
    `${ok} ok, ${broken} broken, ${unknown} cannot tell${first ? `; first broken link: ${first.id} (${first.title})` : broken === 0 ? "; no broken link" : ""}. ${r.azCalls} az calls, ${r.kubeRequests.length} Kubernetes reads, ${(r.durationMs / 1000).toFixed(1)} s.`,
  );
  return lines.join("\n");
}

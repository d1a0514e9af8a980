// The digest both operators read out over the phone: sha256 over the file's canonical JSON (keys sorted at every
// level, the digest field itself left out), so the same content gives the same digest whatever wrote it.
import { createHash } from "node:crypto";

/** JSON with every object's keys sorted and undefined fields left out: one text per content. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v ?? null)).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** sha256 (lowercase hex) of `content`'s canonical JSON without its top-level `digest` field. */
export function contentDigest(content: Record<string, unknown>): string {
  const { digest: _digest, ...rest } = content;
  return createHash("sha256").update(canonicalJson(rest)).digest("hex");
}

/** The digest as read over the phone: its first 12 hex digits in groups of 4 (a1b2-c3d4-e5f6). */
export function shortDigest(digest: string): string {
  return (digest.slice(0, 12).match(/.{1,4}/g) ?? []).join("-");
}

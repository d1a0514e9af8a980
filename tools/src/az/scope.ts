// Comparing Azure resource IDs and role-assignment scopes as ARM does (case-insensitively): shared by doctor,
// which checks the real Azure, and the simulated Azure, which must answer the same way.

/** ARM ids compare case-insensitively, as ARM does. */
export function sameId(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** True when `scope` is `target` or one of its ancestors (subscription, resource group, account, container). */
export function scopeCovers(scope: string, target: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, "");
  const t = target.toLowerCase().replace(/\/+$/, "");
  return t === s || t.startsWith(`${s}/`);
}

// Commands that build the test bed (Kubernetes, the FUSE helper, images) need the project's sources,
// which the npm package does not ship; from an installed `ctv` they say so instead of failing deep inside.
import { existsSync } from "node:fs";
import path from "node:path";
import { ToolError } from "../errors.ts";
import { repoRoot } from "../paths.ts";

export function isCheckout(root = repoRoot): boolean {
  return existsSync(path.join(root, "tools", "src")) && existsSync(path.join(root, "tools", "kube"));
}

export function requireCheckout(command: string, root = repoRoot): void {
  if (isCheckout(root)) return;
  throw new ToolError(
    "PRECONDITION",
    `'ctv ${command}' builds the test bed from the project's sources, which the npm package does not include.`,
    `Run it from a clone of the repository: npm ci, then npm run ${command.split(" ")[0]}${command.includes(" ") ? ` -- ${command.split(" ").slice(1).join(" ")}` : ""}.`,
  );
}

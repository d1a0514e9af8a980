// A private endpoint connection tenant 2 rejected: the bootstrap's approve step stops before approving it.
import { shellCommand } from "../az/shell.ts";
import type { Names } from "./dns-record.ts";
import type { Expectation } from "./step.ts";

/**
 * A Rejected endpoint connection cannot be approved again (Microsoft Learn, "Manage Azure Private Endpoints":
 * "Connections that have been previously denied can't be approved. You must remove the connection and create
 * a new one."): the run stops before approving, naming the delete that lets the next run request a new one.
 */
export function rejectedConnection(pe: Pick<Names, "name" | "rg">, sub1: string[]): Expectation {
  const del = shellCommand(["az", "network", "private-endpoint", "delete", "-n", pe.name, "-g", pe.rg, ...sub1]);
  return {
    path: "privateLinkServiceConnectionState.status",
    notEquals: "Rejected",
    severity: "error",
    problem: `Tenant 2 rejected the connection from private endpoint ${pe.name}, and Azure does not approve a rejected connection again.`,
    hint: `Delete the endpoint in tenant 1 (${del}), then run the bootstrap again: it creates a new endpoint whose connection tenant 2 approves.`,
  };
}

// Entry point of the mock Azure CSI driver on its own (the DaemonSet image's bundle and the host
// launcher in host.ts): the same `ctv csi-driver` command, without the rest of ctv. Flags, defaults and
// errors live in csi-driver.ts.
import { Command } from "@commander-js/extra-typings";
import { configureTree, ignoreClosedStdout, runCli, runMain } from "./command.ts";
import { csiDriverCommand } from "./csi-driver.ts";

const root = new Command("ctv").addCommand(csiDriverCommand());
configureTree(root);
ignoreClosedStdout();
runMain(() => runCli(root, ["csi-driver", ...process.argv.slice(2)]));

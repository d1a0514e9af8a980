#!/usr/bin/env node
// The `ctv` executable (package.json "bin", and every `npm run <command>` script through tsx).
import { ignoreClosedStdout, runCli, runMain } from "./command.ts";
import { processStreams } from "../output/io.ts";
import { buildProgram } from "./program.ts";

ignoreClosedStdout();
const io = processStreams();
runMain(() => runCli(buildProgram(io), process.argv.slice(2), io));

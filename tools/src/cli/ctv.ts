#!/usr/bin/env node
// The `ctv` executable (package.json "bin", and every `npm run <command>` script through tsx).
import { runMain } from "../errors.ts";
import { ignoreClosedStdout, runCli } from "./command.ts";
import { buildProgram } from "./program.ts";

ignoreClosedStdout();
runMain(() => runCli(buildProgram(), process.argv.slice(2)));

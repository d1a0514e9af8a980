# Prints, as JSON, the options each requested az command accepts, read from the installed Azure CLI's
# command table and argument registry in-process (no network call, no per-command --help).
# Input: command names on stdin, one a line ("storage account create"). Unknown commands map to null.
import json
import os
import sys

os.environ.setdefault("AZURE_CORE_COLLECT_TELEMETRY", "false")

from azure.cli.core import get_default_cli  # noqa: E402
from knack import events  # noqa: E402
from azure.cli.core.commands.events import EVENT_INVOKER_PRE_LOAD_ARGUMENTS, EVENT_INVOKER_POST_LOAD_ARGUMENTS  # noqa: E402

wanted = [line.strip() for line in sys.stdin if line.strip()]
cli = get_default_cli()
invoker = cli.invocation_cls(cli_ctx=cli, parser_cls=cli.parser_cls, commands_loader_cls=cli.commands_loader_cls, help_cls=cli.help_cls)
cli.invocation = invoker
loader = invoker.commands_loader
table = loader.load_command_table(None)
present = [name for name in wanted if name in table]
# Mirror AzCliCommandInvoker.execute: global arguments such as --subscription arrive through these events.
cli.raise_event(EVENT_INVOKER_PRE_LOAD_ARGUMENTS, commands_loader=loader)
for name in present:
    # Argument contexts only apply to the command being "invoked"; pretend each one is.
    invoker.data["command_string"] = name
    loader.command_name = name
    loader.load_arguments(name)
cli.raise_event(EVENT_INVOKER_POST_LOAD_ARGUMENTS, commands_loader=loader)
cli.raise_event(events.EVENT_INVOKER_POST_CMD_TBL_CREATE, commands_loader=loader)
invoker.parser.load_command_table(loader)

try:
    from azure.cli.core import __version__ as core_version
except ImportError:
    core_version = None
out = {"cliVersion": core_version, "commands": {}}
for name in wanted:
    if name not in table:
        out["commands"][name] = None
        continue
    parts = name.split()
    parser = invoker.parser.subparsers[tuple(parts[:-1])].choices[parts[-1]]
    options = {}
    for text, action in parser._option_string_actions.items():  # pylint: disable=protected-access
        if action.help == "==SUPPRESS==":
            continue
        options[text] = {"dest": action.dest, "choices": [str(c) for c in action.choices] if action.choices else None, "takesValue": action.nargs != 0}
    out["commands"][name] = options
json.dump(out, sys.stdout, indent=1, sort_keys=True)

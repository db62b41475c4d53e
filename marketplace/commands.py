"""Registers each feature's `flask` command group."""
import importlib

# module path -> attribute holding a click group or command
COMMAND_MODULES = [
    "marketplace.accounts.commands",
    "marketplace.listings.commands",
    "marketplace.demo.commands",
    "marketplace.search.commands",
    "marketplace.matching.commands",
    "marketplace.notifications.commands",
]


def register(app):
    for path in COMMAND_MODULES:
        try:
            module = importlib.import_module(path)
        except ModuleNotFoundError as err:
            if err.name == path:
                continue  # feature has no commands yet
            raise
        for command in getattr(module, "COMMANDS", ()):
            app.cli.add_command(command)

"""Registers each feature's `flask` command group."""

import importlib

# modules whose COMMANDS (click groups or commands) join `flask`
COMMAND_MODULES = [
    "marketplace.accounts.commands",
    "marketplace.listings.commands",
    "marketplace.demo.commands",
    "marketplace.search.commands",
    "marketplace.matching.commands",
    "marketplace.audit.commands",
    "marketplace.notifications.commands",
]


def register(app):
    for path in COMMAND_MODULES:
        for command in importlib.import_module(path).COMMANDS:
            app.cli.add_command(command)

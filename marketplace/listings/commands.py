"""`flask listings ...` commands."""
import importlib

from flask.cli import AppGroup

listings_cli = AppGroup("listings", help="科技成果与技术需求：过期处理、导入导出。")

# Bulk import/export commands live in marketplace.transfer and join this group.
try:
    _transfer = importlib.import_module("marketplace.transfer.commands")
except ModuleNotFoundError as err:  # pragma: no cover - until the transfer feature exists
    if err.name != "marketplace.transfer.commands":
        raise
else:
    for _command in _transfer.COMMANDS:
        listings_cli.add_command(_command)

COMMANDS = [listings_cli]

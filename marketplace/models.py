"""Imports every feature's models so that create_all and Alembic see the whole schema."""
import importlib

MODEL_MODULES = [
    "marketplace.accounts.models",
    "marketplace.listings.models",
    "marketplace.search.models",
    "marketplace.matching.models",
    "marketplace.operators.models",
    "marketplace.events.models",
]


def import_all():
    for path in MODEL_MODULES:
        try:
            importlib.import_module(path)
        except ModuleNotFoundError as err:
            if err.name != path:
                raise

"""Imports every feature's models so that create_all and Alembic see the whole schema."""

import importlib

MODEL_MODULES = [
    "marketplace.accounts.models",
    "marketplace.listings.models",
    "marketplace.matching.models",
    "marketplace.security.models",
    "marketplace.audit.models",
    "marketplace.privacy.models",
    "marketplace.verification.models",
    "marketplace.notifications.models",
    "marketplace.inquiries.models",
    "marketplace.events.models",
]


def import_all():
    for path in MODEL_MODULES:
        importlib.import_module(path)

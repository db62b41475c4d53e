"""Operator views: organisations."""
from . import bp  # noqa: F401

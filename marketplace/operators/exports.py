"""Operator views: exports."""
from . import bp  # noqa: F401

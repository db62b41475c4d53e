"""Operator views: users."""
from . import bp  # noqa: F401

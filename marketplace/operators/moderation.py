"""Operator views: moderation."""
from . import bp  # noqa: F401

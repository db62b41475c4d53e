"""Small helpers shared by the models of every feature."""

from datetime import UTC, datetime


def utcnow():
    """Naive UTC timestamps everywhere (SQLite has no time zones); templates convert for display."""
    return datetime.now(UTC).replace(tzinfo=None)

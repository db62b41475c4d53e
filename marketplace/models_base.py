"""Small helpers shared by the models of every feature."""
from datetime import datetime, timezone


def utcnow():
    """Naive UTC timestamps everywhere (SQLite has no time zones); templates convert for display."""
    return datetime.now(timezone.utc).replace(tzinfo=None)

"""Query helpers of the operators' lists (users, organisations)."""

from sqlalchemy import or_


def like_pattern(text):
    """A LIKE pattern that finds `text` anywhere, with LIKE's own characters (% _ \\) taken literally."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def contains_text(text, *columns):
    """SQL condition: any of `columns` contains `text` (case-insensitive, escaped)."""
    pattern = like_pattern(text)
    return or_(*(column.ilike(pattern, escape="\\") for column in columns))

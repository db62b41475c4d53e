"""Security audit log (等保 2.0 安全审计): who did what, when, from where, with what outcome.

`record(event, user=None, outcome="success", target=None, **details)` is the one way to write an entry.
Entries are append-only for the application (see models.py); operators search and export them at /ops/audit;
`flask audit purge` removes entries older than AUDIT_RETENTION_DAYS (at least 180 days).
"""

from .services import record  # noqa: F401

# The blueprint lives in views.py and is imported by the application factory only: features import `record`
# from here while they load, and the views' imports (operators) would otherwise close an import cycle.

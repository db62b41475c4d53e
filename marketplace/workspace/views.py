"""Views of the workspace feature."""
from . import bp  # noqa: F401

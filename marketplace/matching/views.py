"""Views of the matching feature."""
from . import bp  # noqa: F401

"""Views of the search feature."""
from . import bp  # noqa: F401

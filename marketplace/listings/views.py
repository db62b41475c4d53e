"""Views of the listings feature."""
from . import bp  # noqa: F401

"""Views of the operators feature."""
from . import bp  # noqa: F401

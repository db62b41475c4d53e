"""In-process search index updater (filled in by the search feature)."""


def init_app(app):
    """Start the updater thread when SEARCH_BACKGROUND is on. Nothing to do yet."""
    return None

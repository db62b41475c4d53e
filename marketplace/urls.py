"""Absolute links for e-mails and notifications: always from EXTERNAL_BASE_URL, never from a request's Host."""

from flask import current_app


def external_url(endpoint, **values):
    """`https://market.example.cn/achievements/12` for `external_url("listings.detail", ...)`.

    Works inside and outside a request (background threads, CLI): the path is built from the URL map alone,
    so a forged Host header cannot redirect a link in a password-reset e-mail.
    """
    base = current_app.config["EXTERNAL_BASE_URL"].rstrip("/")
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return base + path


def external_path(path):
    """An absolute link for a path that is already built (e.g. by url_for)."""
    return current_app.config["EXTERNAL_BASE_URL"].rstrip("/") + "/" + path.lstrip("/")

"""Expressions of interest with consent, their conversation, NDAs and the deal pipeline."""

from flask import Blueprint

bp = Blueprint("inquiries", __name__)

from . import (  # noqa: E402,F401
    abuse_views,
    analytics_views,
    broker_views,
    deal_views,
    nda_views,
    privacy_sections,
    views,
)

"""Expressions of interest with consent, their conversation, NDAs and the deal pipeline."""

from flask import Blueprint

bp = Blueprint("inquiries", __name__)

from . import abuse_views, analytics_views, broker_views, deal_views, nda_views, views  # noqa: E402,F401

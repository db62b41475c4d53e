"""Personal information (PIPL): the privacy policy and consent to it, the collection list, "download my data"
and account deletion."""
# The blueprint lives in views.py (imported by the application factory only, to keep imports acyclic).

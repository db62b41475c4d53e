"""Normalising and checking what people type: names, emails, phone numbers, credit codes.

Plain functions without the app; forms use them as filters and validators.
"""

import re
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from ..text import clean_text

# GB 32100-2015 统一社会信用代码: 18 characters from this alphabet (no I, O, S, V, Z), the last a check character.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
PHONE_RE = re.compile(r"^\+?[0-9][0-9 ()-]{4,28}[0-9]$")


def clean_email(value):
    """An email as stored: NFKC, trimmed, lower-cased."""
    return (clean_text(value) or "").lower()


def email_problem(email):
    """'invalid' when the address cannot be an email address, else None (no DNS look-up)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return "invalid"
    return None


def phone_is_valid(phone):
    return bool(PHONE_RE.match(phone or ""))


def credit_code_check_char(first17):
    total = sum(CREDIT_CODE_ALPHABET.index(ch) * w for ch, w in zip(first17, CREDIT_CODE_WEIGHTS, strict=False))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def credit_code_problem(code):
    """None for a well-formed 统一社会信用代码, else 'length', 'chars' or 'check'."""
    code = (code or "").upper()
    if len(code) != 18:
        return "length"
    if any(ch not in CREDIT_CODE_ALPHABET for ch in code):
        return "chars"
    if credit_code_check_char(code[:17]) != code[17]:
        return "check"
    return None


def safe_next_url(target):
    """`target` when it is a path on this site ("/me?x=1"), else None: no scheme, host or `//`/backslash tricks."""
    if not target or not isinstance(target, str):
        return None
    target = target.strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def same_site_path(url):
    """The path and query of `url` when it points at this site (a Referer header), passed through
    safe_next_url; None for another site. Call inside a request."""
    from flask import request

    if not url or not isinstance(url, str):
        return None
    parts = urlsplit(url)
    if parts.netloc and (parts.scheme not in ("http", "https") or parts.netloc != request.host):
        return None
    return safe_next_url(parts.path + ("?" + parts.query if parts.query else ""))

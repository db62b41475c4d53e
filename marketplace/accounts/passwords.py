"""Password policy: length and a block list of common passwords, no composition rules.

Plain functions without the app, so that the rules can be tested on their own. Passwords are NFKC-normalised
before they are checked and hashed, so full-width and half-width input mean the same password.
"""

import unicodedata
from functools import lru_cache
from pathlib import Path

from flask_babel import lazy_gettext as _l

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

TOO_SHORT = _l("密码至少需要 %(n)s 个字符。", n=MIN_LENGTH)
TOO_LONG = _l("密码不能超过 %(n)s 个字符。", n=MAX_LENGTH)
TOO_COMMON = _l("这个密码太常见，很容易被猜到，请换一个。")


def normalise_password(password):
    """The form in which a password is checked and hashed (NFKC; spaces are kept: they are part of it)."""
    return unicodedata.normalize("NFKC", password or "")


@lru_cache(maxsize=1)
def common_passwords():
    """The block list, lower-cased (read once per process)."""
    words = set()
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as fh:
        for line in fh:
            word = line.strip()
            if word and not word.startswith("#"):
                words.add(unicodedata.normalize("NFKC", word).casefold())
    return frozenset(words)


def is_common(password):
    return normalise_password(password).casefold() in common_passwords()


def password_problem(password):
    """Why the password is refused (a lazy Chinese message), or None when it is acceptable."""
    password = normalise_password(password)
    if len(password) < MIN_LENGTH:
        return TOO_SHORT
    if len(password) > MAX_LENGTH:
        return TOO_LONG
    if password.casefold() in common_passwords():
        return TOO_COMMON
    return None

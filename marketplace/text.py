"""Normalising what users type.

NFKC folds full-width letters and digits (ＡＢＣ１２３ -> ABC123) and look-alike symbols (＜script＞ -> <script>)
before validation and escaping. Chinese prose, however, is written with full-width punctuation: folding
"效率提升3%，已完成（中试）" to "效率提升3%,已完成(中试)" would change what the user wrote, and company names use
full-width brackets. So the punctuation of Chinese typography is kept as typed; everything else is NFKC.
"""

import re
import unicodedata

# Control characters (category Cc) except tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Full-width punctuation that Chinese text uses as such: ，：；！？（） and the ideographic space is folded.
KEPT_PUNCTUATION = frozenset("，：；！？（）")


def normalise_text(value):
    """NFKC, except for the full-width punctuation of Chinese prose."""
    if not value:
        return value
    if not any(ch in KEPT_PUNCTUATION for ch in value):
        return unicodedata.normalize("NFKC", value)
    # Normalise the runs between kept marks, so that combining sequences still compose.
    return "".join(
        part if part in KEPT_PUNCTUATION else unicodedata.normalize("NFKC", part) for part in _KEPT_SPLIT.split(value)
    )


_KEPT_SPLIT = re.compile("([" + "".join(sorted(KEPT_PUNCTUATION)) + "])")


def clean_text(value):
    """What every form, import and command stores of typed text: normalise_text, no control characters except
    line breaks and tabs, trimmed. None stays None (WTForms filters)."""
    if value is None:
        return None
    return CONTROL_CHARACTERS.sub("", normalise_text(str(value))).strip()

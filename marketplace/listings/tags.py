"""Tag normalisation: a pure function, used by the forms, the services and bulk import."""

import re
import unicodedata

MAX_TAGS = 15
MAX_TAG_LENGTH = 40

# Commas (ASCII, full-width, ideographic enumeration comma), semicolons and any whitespace separate tags.
_SEPARATORS = re.compile(r"[,，、;；\s]+")


class TagError(ValueError):
    """Tags that cannot be accepted; `problem` is "too_long" or "too_many", `tag` the culprit if any."""

    def __init__(self, problem, tag=None):
        super().__init__(problem if tag is None else f"{problem}: {tag}")
        self.problem = problem
        self.tag = tag


def normalise_tag(text):
    """One tag: NFKC, trimmed, case-folded (ＮＢ－ＩｏＴ -> nb-iot)."""
    return unicodedata.normalize("NFKC", text or "").strip().casefold()


def normalise_tags(raw, max_tags=MAX_TAGS, max_length=MAX_TAG_LENGTH):
    """Split free text (or a list of strings) into normalised, de-duplicated tags, keeping first-seen order.

    Raises TagError when a tag is longer than `max_length` characters or there are more than `max_tags`.
    """
    if raw is None:
        return []
    parts = raw if isinstance(raw, (list, tuple)) else [raw]
    tags = []
    for part in parts:
        text = unicodedata.normalize("NFKC", part or "")
        for piece in _SEPARATORS.split(text):
            tag = normalise_tag(piece)
            if not tag or tag in tags:
                continue
            if len(tag) > max_length:
                raise TagError("too_long", tag)
            tags.append(tag)
    if len(tags) > max_tags:
        raise TagError("too_many")
    return tags

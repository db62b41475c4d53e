"""Tags: the form shown (as the owner typed it: NB-IoT, 5G, LoRa) and the key they match by (nb-iot).

Pure functions, used by the forms, the services, bulk import and the demo. Two tags with the same key are one
tag: `normalise_tags` keeps the first-typed form, and a Tag row is unique by key (models.Tag.match_key).
"""

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
    """One tag as shown: NFKC (full-width letters folded), trimmed, case kept (ＮＢ－ＩｏＴ -> NB-IoT)."""
    return unicodedata.normalize("NFKC", text or "").strip()


def tag_key(text):
    """The form tags match by: case- and width-insensitive (ＮＢ－ＩｏＴ, nb-iot, NB-IoT -> nb-iot)."""
    return normalise_tag(text).casefold()


def unique_tags(names):
    """Names without repeats by key, first-typed form kept, order kept."""
    seen, out = set(), []
    for name in names:
        key = tag_key(name)
        if key and key not in seen:
            seen.add(key)
            out.append(normalise_tag(name))
    return out


def normalise_tags(raw, max_tags=MAX_TAGS, max_length=MAX_TAG_LENGTH):
    """Split free text (or a list of strings) into tags as typed, without repeats by key, in first-seen order.

    Raises TagError when a tag is longer than `max_length` characters or there are more than `max_tags`.
    """
    if raw is None:
        return []
    parts = raw if isinstance(raw, (list, tuple)) else [raw]
    tags, keys = [], set()
    for part in parts:
        text = unicodedata.normalize("NFKC", part or "")
        for piece in _SEPARATORS.split(text):
            tag = normalise_tag(piece)
            if not tag or tag_key(tag) in keys:
                continue
            if len(tag) > max_length:
                raise TagError("too_long", tag)
            keys.add(tag_key(tag))
            tags.append(tag)
    if len(tags) > max_tags:
        raise TagError("too_many")
    return tags

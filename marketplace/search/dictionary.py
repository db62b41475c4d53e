"""The index's segmentation dictionary: shipped terms, taxonomy labels and tags in use, and its digests.

A change of the digest (a new tag, a deploy with new shipped terms) means the index was segmented with another
dictionary: search/background.py rebuilds it.
"""

import re

from sqlalchemy import select

from .. import taxonomy
from ..extensions import db
from ..listings.models import Tag
from .analysis import DOMAIN_TERMS, SYNONYMS, clean_terms, dictionary_digest

_msgid = taxonomy.msgid


def _label_terms():
    out = []
    for vocabulary in (
        taxonomy.INDUSTRIES,
        taxonomy.SOURCE_PROGRAMMES,
        taxonomy.COOPERATION_MODES,
        taxonomy.MATURITIES,
        taxonomy.IP_TYPES,
    ):
        for _code, label in taxonomy.choices(vocabulary):
            out.extend(p for p in re.split(r"[\s()（）、,，与及含]+", _msgid(label)) if p)
    return out


def dictionary_terms():
    """The domain dictionary: shipped terms, taxonomy labels and every tag in use."""
    tags = db.session.execute(select(Tag.name)).scalars().all()
    return clean_terms(list(DOMAIN_TERMS) + _label_terms() + SYNONYMS.chinese_terms() + list(tags))


def current_digest():
    return dictionary_digest(dictionary_terms())


def base_digest():
    """Digest of the shipped part of the dictionary (terms list, taxonomy labels): a deploy changes it."""
    return dictionary_digest(clean_terms(list(DOMAIN_TERMS) + _label_terms() + SYNONYMS.chinese_terms()))

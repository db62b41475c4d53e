"""Score sheets: an event's criteria (name, weight, order) and the weighted scores computed from them.

An event without its own criteria uses the default sheet (vocab.SCORE_CRITERIA, equal weights); so do technology
assessments. Sheets store scores by criterion code: renaming, re-weighting or reordering a criterion keeps every
submitted sheet valid; a removed criterion's scores are kept but no longer counted; a new criterion is counted
for the sheets that have it (the others are weighted over the criteria they were scored on).
Plain functions that flush, never commit.
"""

from dataclasses import dataclass

from flask_babel import gettext as _

from ..extensions import db
from . import vocab
from .models import Criterion
from .services import EventError


@dataclass(frozen=True)
class Line:
    code: str
    name: str
    weight: int


def default_sheet():
    return [Line(code, str(label), vocab.DEFAULT_WEIGHT) for code, label in vocab.SCORE_CRITERIA.items()]


def sheet_of(event_id):
    """The event's criteria in order, or the default sheet."""
    if event_id is None:
        return default_sheet()
    rows = (
        db.session.execute(
            db.select(Criterion).where(Criterion.event_id == event_id).order_by(Criterion.position, Criterion.id)
        )
        .scalars()
        .all()
    )
    return [Line(r.code, r.name, r.weight) for r in rows] or default_sheet()


def _new_code(taken):
    n = 1
    while f"c{n}" in taken:
        n += 1
    return f"c{n}"


def save_sheet(event, lines):
    """Replace the event's criteria with `lines`: [(code or "", name, weight, position)] in any order.

    A line keeps its code (so its scores stay valid); a line without a code is a new criterion."""
    lines = [(code or "", (name or "").strip(), weight, position) for code, name, weight, position in lines]
    lines = [line for line in lines if line[1]]
    if not lines:
        raise EventError(_("评分表至少要有一项。"))
    if len(lines) > vocab.MAX_CRITERIA:
        raise EventError(_("评分表最多 %(n)s 项。", n=vocab.MAX_CRITERIA))
    if any(len(name) > 60 for _c, name, _w, _p in lines):
        raise EventError(_("评分项名称不超过 60 个字符。"))
    if len({name for _c, name, _w, _p in lines}) != len(lines):
        raise EventError(_("评分项名称不能重复。"))
    if any(weight is None or not 1 <= weight <= 100 for _c, _n, weight, _p in lines):
        raise EventError(_("权重请填写 1 到 100 之间的整数。"))
    known = {line.code for line in sheet_of(event.id)} | set(vocab.SCORE_CRITERIA)
    taken = {code for code, *_rest in lines if code in known}
    db.session.execute(db.delete(Criterion).where(Criterion.event_id == event.id))
    ordered = sorted(enumerate(lines), key=lambda item: (item[1][3] if item[1][3] is not None else 999, item[0]))
    for position, (_i, (code, name, weight, _p)) in enumerate(ordered, start=1):
        if code not in known:
            code = _new_code(taken)
            taken.add(code)
        db.session.add(Criterion(event_id=event.id, code=code, name=name, weight=weight, position=position))
    db.session.flush()
    return sheet_of(event.id)


def weighted(scores, sheet):
    """The weighted mean of one sheet's scores over the criteria it has, or None."""
    counted = [(line.weight, scores[line.code]) for line in sheet if line.code in (scores or {})]
    total = sum(w for w, _s in counted)
    if not total:
        return None
    return round(sum(w * s for w, s in counted) / total, 1)


def averages(sheets, sheet):
    """({code: mean}, weighted overall) over the submitted score dicts `sheets`; ({}, None) without any."""
    means = {}
    for line in sheet:
        values = [s[line.code] for s in sheets if line.code in s]
        if values:
            means[line.code] = round(sum(values) / len(values), 1)
    return means, weighted(means, sheet)

"""Bulk import of listings: validate every row first, then write in batches with SQLAlchemy Core.

A service: it flushes and never commits. The caller commits once (or rolls back for a dry run), so an
import is all-or-nothing. Rows are matched to existing listings by external_id: a second import of the
same file updates those listings instead of adding new ones.
"""

import logging
import re
import unicodedata
from dataclasses import dataclass, field

from ..accounts.models import Organisation, User
from ..dbsetup import read_only
from ..extensions import db
from ..listings.models import Listing
from ..listings.services import default_valid_until
from .formats import KNOWN_COLUMNS, read_rows
from .rows import RowError, Vocabularies, clean_row
from .writer import BATCH_SIZE, ListingWriter, matches_any, refresh_statistics

log = logging.getLogger(__name__)

LOOKUP_CHUNK = 500
EXPORTED_ID = re.compile(r"^listing-(\d+)$")  # exporter's id for listings created in the UI (no external_id)
COMPARED_COLUMNS = (
    "title",
    "summary",
    "description",
    "industry",
    "region",
    "maturity",
    "trl",
    "ip_type",
    "ip_numbers",
    "ip_status",
    "source_programme",
    "project_number",
    "acceptance_status",
    "lead_institution",
    "cooperation_mask",
    "price_wan",
    "price_negotiable",
    "valid_until",
    "indicators",
    "deadline",
    "min_maturity",
    "hide_org_name",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class ImportSetupError(Exception):
    """The options cannot be used (unknown organisation or owner); nothing was read or written."""


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list = field(default_factory=list)  # (row number, reason)
    warnings: list = field(default_factory=list)  # (row number or None, message)
    listing_ids: list = field(default_factory=list)

    @property
    def imported(self):
        return self.created + self.updated

    def error_lines(self, limit=None):
        lines = [f"第 {n} 行: {reason}" for n, reason in sorted(self.errors, key=lambda e: e[0])]
        if limit is not None and len(lines) > limit:
            lines = lines[:limit] + [f"……另有 {len(lines) - limit} 处错误未列出"]
        return lines

    def warning_lines(self, shown_rows=10):
        """One line per distinct warning, with the rows it concerns (the first few of them)."""
        rows_by_text = {}
        for number, text in self.warnings:
            rows_by_text.setdefault(text, []).append(number)
        lines = []
        for text, numbers in rows_by_text.items():
            numbers = [n for n in numbers if n]
            if not numbers:
                lines.append(text)
                continue
            shown = "、".join(str(n) for n in numbers[:shown_rows])
            more = f" 等 {len(numbers)} 行" if len(numbers) > shown_rows else " 行"
            lines.append(f"第 {shown}{more}: {text}")
        return lines


# ------------------------------------------------------------------ organisations and owners


def find_organisation(key):
    """An organisation by id (digits) or exact name; None when there is none."""
    text = unicodedata.normalize("NFKC", str(key)).strip()
    if isinstance(key, int) or text.isdigit():
        return db.session.get(Organisation, int(text))
    return db.session.execute(db.select(Organisation).filter_by(name=text)).scalar_one_or_none()


def default_owner(organisation):
    """The organisation's first active member (by id), or None."""
    return db.session.execute(
        db.select(User)
        .filter_by(organisation_id=organisation.id, is_disabled=False, membership_status="active")
        .order_by(User.id)
        .limit(1)
    ).scalar_one_or_none()


def find_owner(email, organisation):
    """The active member of `organisation` with that email; raises RowError otherwise."""
    user = db.session.execute(db.select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()
    if user is None or user.is_disabled:
        raise RowError(f"没有可用的用户“{email}”")
    if user.organisation_id != organisation.id:
        raise RowError(f"用户“{email}”不属于机构“{organisation.name}”")
    return user


class _Owners:
    """Resolves each row's organisation and owner once per distinct value."""

    def __init__(self, organisation=None, owner=None):
        self.organisation, self.owner = organisation, owner
        self._orgs, self._owners = {}, {}

    def resolve(self, row):
        org = self.organisation
        if row.organisation is not None:
            key = str(row.organisation)
            if key not in self._orgs:
                self._orgs[key] = find_organisation(row.organisation)
            org = self._orgs[key]
            if org is None:
                raise RowError(f"未知机构“{str(row.organisation)[:60]}”")
        if org is None:
            raise RowError("没有指定所属机构：请用 --org 指定，或在 organisation 列填写")
        email = row.owner_email or (self.owner.email if self.owner is not None else None)
        key = (org.id, email)
        if key not in self._owners:
            self._owners[key] = find_owner(email, org) if email else default_owner(org)
        user = self._owners[key]
        if user is None:
            raise RowError(f"机构“{org.name}”没有可用成员作为发布者，请用 --owner 指定")
        return org, user


# ------------------------------------------------------------------ validation


def validate_file(path, fmt, organisation=None, owner=None, progress=None):
    """Read and check every row. Returns (valid rows, report with the errors of the others)."""
    report = ImportReport()
    vocab = Vocabularies()
    owners = _Owners(organisation, owner)
    rows, seen, unknown = [], {}, set()
    for number, raw, error in read_rows(path, fmt):
        report.rows += 1
        if progress is not None:
            progress.update(1)
        if error:
            report.errors.append((number, error))
            continue
        unknown.update(k for k in raw if k not in KNOWN_COLUMNS)
        try:
            row = clean_row(number, raw, vocab)
            if row.external_id in seen:
                raise RowError(f"external_id“{row.external_id}”与第 {seen[row.external_id]} 行重复")
            seen[row.external_id] = number
            row.org, row.user = owners.resolve(row)
        except RowError as err:
            report.errors.append((number, str(err)))
            continue
        report.warnings.extend((number, text) for text in row.warnings)
        rows.append(row)
    if unknown:
        report.warnings.insert(0, (None, "已忽略未知列：" + "、".join(sorted(str(k) for k in unknown))))
    _match_existing(rows, report)
    bad = {n for n, _reason in report.errors}
    return [row for row in rows if row.number not in bad], report


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _match_existing(rows, report):
    """Attach the existing listing (as a column dict with its tags) to each row that updates one."""
    table = Listing.__table__
    # Only the columns compared (all of them with "= ANY" took 30x longer on PostgreSQL).
    columns = [table.c[name] for name in ("id", "external_id", "organisation_id", "kind", "status") + COMPARED_COLUMNS]
    existing = {}
    for chunk in _chunks([r.external_id for r in rows], LOOKUP_CHUNK):
        query = db.select(*columns).where(matches_any(table.c.external_id, chunk))
        for found in db.session.execute(query).mappings():
            existing[found["external_id"]] = dict(found)
    by_id = {
        int(m.group(1)): r.external_id
        for r in rows
        if r.external_id not in existing and (m := EXPORTED_ID.match(r.external_id))
    }
    for chunk in _chunks(by_id, LOOKUP_CHUNK):
        query = db.select(*columns).where(matches_any(table.c.id, chunk), table.c.external_id.is_(None))
        for found in db.session.execute(query).mappings():
            existing[by_id[found["id"]]] = dict(found)
    tags = _tags_of([e["id"] for e in existing.values()])
    for row in rows:
        row.existing = existing.get(row.external_id)
        if row.existing is None:
            continue
        row.existing["tags"] = sorted(tags.get(row.existing["id"], ()))
        if row.existing["organisation_id"] != row.org.id:
            report.errors.append(
                (row.number, f"external_id“{row.external_id}”已属于另一机构的记录，不能改由本机构导入")
            )
        elif row.existing["kind"] != row.kind:
            report.errors.append((row.number, f"external_id“{row.external_id}”已是另一类型的记录，类型不能更改"))


def _tags_of(listing_ids):
    from ..listings.models import Tag, listing_tags

    names = {}
    for chunk in _chunks(listing_ids, LOOKUP_CHUNK):
        query = (
            db.select(listing_tags.c.listing_id, Tag.name)
            .join(Tag, Tag.id == listing_tags.c.tag_id)
            .where(matches_any(listing_tags.c.listing_id, chunk))
        )
        for listing_id, name in db.session.execute(query):
            names.setdefault(listing_id, []).append(name)
    return names


# ------------------------------------------------------------------ writing


def _normalised(value):
    from decimal import Decimal

    if value in (None, ""):
        return None
    if isinstance(value, Decimal):
        return value.quantize(Decimal("0.01"))
    return value


def _changes(row, publish):
    """The columns (and tags) of an existing listing that this row changes."""
    old = row.existing
    changed = {c: v for c, v in row.values.items() if c in COMPARED_COLUMNS and _normalised(old[c]) != _normalised(v)}
    if publish and old["status"] != "published":
        changed["status"] = "published"
    tags_changed = row.tags is not None and sorted(row.tags) != old["tags"]
    return changed, tags_changed


def _new_values(row, publish):
    values = {
        "region": row.org.region,
        "industry": "other",
        "valid_until": default_valid_until(),
        "status": "published" if publish else "draft",
    }
    if row.kind == "achievement":
        values["lead_institution"] = row.org.name
    values.update(row.values)
    return values


def import_rows(rows, report, publish=False, source=None, progress=None):
    """Create or update the listings of valid rows; events and index changes are written with them."""
    writer = ListingWriter(publish=publish, source=source)
    for batch in _chunks(rows, BATCH_SIZE):
        creates, updates = [], []
        for row in batch:
            if row.existing is None:
                creates.append((row, _new_values(row, publish)))
                continue
            changed, tags_changed = _changes(row, publish)
            if changed or tags_changed:
                updates.append((row, changed, tags_changed))
            else:
                report.unchanged += 1
        report.listing_ids += writer.create(creates)
        report.listing_ids += writer.update(updates)
        report.created += len(creates)
        report.updated += len(updates)
        if progress is not None:
            progress.update(len(batch))
    db.session.flush()
    refresh_statistics(report.imported)
    log.info("import: %d created, %d updated, %d unchanged", report.created, report.updated, report.unchanged)
    return report


def run_import(path, fmt, organisation=None, owner=None, publish=False, skip_bad=False, progress=None):
    """Validate the file, then import it unless a row is bad (or import the good rows with skip_bad).

    `progress(label, length)` returns a context manager with update(n), e.g. click.progressbar.
    Returns the report; the caller commits when report.imported and rolls back otherwise.
    """
    with read_only():  # reading and checking the file takes no SQLite write lock; only the writing below does
        rows, report = validate_file(path, fmt, organisation, owner)
    if report.errors and not skip_bad:
        return report
    db.session.rollback()  # end the read snapshot: the writes begin a transaction of their own
    with _bar(progress, "写入", len(rows)) as bar:
        import_rows(rows, report, publish=publish, source=str(path).rsplit("/", 1)[-1], progress=bar)
    return report


class _NoBar:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _bar(progress, label, length):
    return progress(label, length) if progress is not None and length else _NoBar()

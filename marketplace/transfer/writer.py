"""Bulk writes of imported listings: Core executemany on SQLite, COPY on PostgreSQL, one round per batch.

Each created or updated listing gets its tags (upserted in bulk), one ListingEvent (action "import") and
one ListingChange (listings.changes), all in the caller's transaction.
"""

from collections import defaultdict

from sqlalchemy import any_, bindparam, delete, insert, text, update
from sqlalchemy.dialects.postgresql import ARRAY

from ..extensions import db
from ..listings.changes import record_changes
from ..listings.models import Listing, ListingEvent, Tag, listing_tags
from ..listings.tags import tag_key
from ..matching.models import MatchProfile
from ..models_base import utcnow

BATCH_SIZE = 1000
IN_CHUNK = 500
ANALYZE_AFTER_ROWS = 1000
NEW_DEFAULTS = {
    "summary": "",
    "description": "",
    "price_negotiable": False,
    "cooperation_mask": 0,
    "hide_org_name": False,
}
EVENT_ACTION = "import"
REASON_MAX = 500


def _chunks(items, size):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _dialect():
    return db.session.get_bind().dialect.name


def matches_any(column, values):
    """column IN values. On PostgreSQL one array parameter (= ANY): a 500-item IN list on a table that has
    not been analysed yet (right after a bulk load) was planned as a sequential scan, 20 times slower."""
    if _dialect() == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def insert_rows(table, rows):
    """Insert many rows: COPY on PostgreSQL (psycopg's executemany sends one statement per row, and
    multi-row INSERTs spend most of their time in the driver's placeholder parsing); executemany on SQLite."""
    if not rows:
        return
    if _dialect() != "postgresql":
        db.session.execute(insert(table), rows)
        return
    defaults = _python_defaults(table, rows[0])  # COPY skips SQLAlchemy's client-side column defaults
    columns = list(rows[0]) + list(defaults)
    names = ", ".join(table.c[c].name for c in columns)
    driver_connection = db.session.connection().connection.driver_connection  # same transaction
    with driver_connection.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] if c in row else defaults[c] for c in columns])


def _python_defaults(table, given):
    """Values of the client-side defaults (default=...) of the columns not in `given`."""
    values = {}
    for column in table.c:
        default = column.default
        if column.name in given or default is None or column.primary_key:
            continue
        if default.is_scalar:
            values[column.name] = default.arg
        elif default.is_callable:
            values[column.name] = default.arg(None)
    return values


def refresh_statistics(row_count):
    """After a large bulk write on PostgreSQL, ANALYZE the tables written: until autovacuum gets to them,
    prepared lookups (psycopg prepares a query after 5 runs) use generic plans that were 20x slower on
    the next import's external_id lookups. Allowed inside the transaction; no-op on SQLite."""
    if _dialect() != "postgresql" or row_count < ANALYZE_AFTER_ROWS:
        return
    for table in (Listing.__table__, listing_tags, Tag.__table__):
        db.session.execute(text(f"ANALYZE {table.name}"))


def next_ids(table, count):
    """`count` fresh primary keys from the table's sequence (PostgreSQL), so rows can be COPYed with their ids."""
    query = text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', 'id')) FROM generate_series(1, :n)")
    return db.session.execute(query, {"n": count}).scalars().all()


def _upsert_ignoring_duplicates(table):
    """INSERT that skips rows whose unique key already exists (another import may have added the tag)."""
    dialect = _dialect()
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        return insert(table)
    stmt = dialect_insert(table).on_conflict_do_nothing()
    return stmt.returning(*table.primary_key.columns) if dialect == "postgresql" else stmt  # see insert_rows


class ListingWriter:
    """Writes batches of new and changed listings; remembers tag ids across batches."""

    def __init__(self, publish=False, source=None):
        self.table = Listing.__table__
        self.publish = publish
        self.source = source or ""
        self.tag_ids = {}

    def _reason(self, created):
        text = ("批量导入新建" if created else "批量导入更新") + ("并发布（运营操作）" if self.publish else "")
        return f"{text}：{self.source}"[:REASON_MAX] if self.source else text

    # -------------------------------------------------------------- tags

    def tag_ids_for(self, names):
        """match key -> id for every name (tags.tag_key), inserting the missing tags in one statement; a new tag
        is shown as the first name given for its key."""
        wanted = {}
        for name in names:
            key = tag_key(name)
            if key and key not in self.tag_ids:
                wanted.setdefault(key, name)
        if wanted:
            self._load_tags(list(wanted))
            missing = [{"name": name, "match_key": key} for key, name in wanted.items() if key not in self.tag_ids]
            if missing:
                db.session.execute(_upsert_ignoring_duplicates(Tag.__table__), missing)
                self._load_tags([row["match_key"] for row in missing])
        return self.tag_ids

    def _load_tags(self, keys):
        table = Tag.__table__
        for chunk in _chunks(keys, IN_CHUNK):
            query = db.select(table.c.id, table.c.match_key).where(matches_any(table.c.match_key, chunk))
            self.tag_ids.update((key, tag_id) for tag_id, key in db.session.execute(query))

    def _link_tags(self, tags_by_listing):
        names = {n for tags in tags_by_listing.values() for n in tags}
        if not names:
            return
        ids = self.tag_ids_for(names)
        pairs = {(lid, ids[tag_key(n)]) for lid, tags in tags_by_listing.items() for n in tags}  # once per pair
        insert_rows(listing_tags, [{"listing_id": lid, "tag_id": tid} for lid, tid in sorted(pairs)])

    def _profiles(self, listings, now):
        """Pass the rows' discipline and category (CSL field/category) to matching (MatchProfile), in bulk."""
        rows = [
            {
                "listing_id": lid,
                "discipline": (row.discipline or "")[:60] or None,
                "category": (row.category or "")[:30] or None,
                "updated_at": now,
            }
            for lid, row in listings
            if row.discipline or row.category
        ]
        table = MatchProfile.__table__
        for chunk in _chunks([r["listing_id"] for r in rows], IN_CHUNK):
            db.session.execute(delete(table).where(matches_any(table.c.listing_id, chunk)))
        insert_rows(table, rows)

    # -------------------------------------------------------------- listings

    def create(self, creates):
        """Insert new listings [(row, column values)]; returns their ids."""
        if not creates:
            return []
        now = utcnow()
        # Only the columns some row of the batch sets (executemany needs the same keys in every row);
        # the others stay NULL. Fewer parameters per row is most of Core's per-row cost.
        present = set(NEW_DEFAULTS).union(*(values.keys() for _row, values in creates))
        params = []
        for row, values in creates:
            item = {column: values.get(column, NEW_DEFAULTS.get(column)) for column in present}
            item.update(
                kind=row.kind,
                external_id=row.external_id,
                owner_id=row.user.id,
                organisation_id=row.org.id,
                created_at=now,
                updated_at=now,
                published_at=now if item["status"] == "published" else None,
            )
            params.append(item)
        if _dialect() == "postgresql":
            for item, listing_id in zip(params, next_ids(self.table, len(params)), strict=True):
                item["id"] = listing_id
            insert_rows(self.table, params)
            ids = {item["external_id"]: item["id"] for item in params}
        else:
            stmt = insert(self.table).returning(self.table.c.id, self.table.c.external_id)
            ids = {external_id: listing_id for listing_id, external_id in db.session.execute(stmt, params)}
        self._link_tags({ids[row.external_id]: row.new_tags for row, _values in creates if row.new_tags})
        self._profiles([(ids[row.external_id], row) for row, _values in creates], now)
        self._events([(ids[row.external_id], None, values["status"]) for row, values in creates], created=True, now=now)
        return list(ids.values())

    def update(self, updates):
        """Apply [(row, changed columns, tags changed?)] to existing listings; returns their ids."""
        if not updates:
            return []
        now = utcnow()
        groups = defaultdict(list)  # executemany needs the same columns in every parameter set
        for row, changed, _tags_changed in updates:
            values = dict(changed, updated_at=now)
            if changed.get("status") == "published":
                values["published_at"] = now
            params = {f"v_{k}": v for k, v in values.items()}
            groups[tuple(sorted(values))].append({"b_id": row.existing["id"], **params})
        for columns, params in groups.items():
            stmt = (
                update(self.table)
                .where(self.table.c.id == bindparam("b_id"))
                .values({c: bindparam(f"v_{c}") for c in columns})
            )
            db.session.execute(stmt, params)
        self._profiles([(row.existing["id"], row) for row, _changed, _tags in updates], now)
        retagged = {row.existing["id"]: row.tags for row, _changed, tags_changed in updates if tags_changed}
        for chunk in _chunks(retagged, IN_CHUNK):
            db.session.execute(delete(listing_tags).where(matches_any(listing_tags.c.listing_id, chunk)))
        self._link_tags(retagged)
        self._events(
            [
                (row.existing["id"], row.existing["status"], changed.get("status", row.existing["status"]))
                for row, changed, _tags in updates
            ],
            created=False,
            now=now,
        )
        return [row.existing["id"] for row, _changed, _tags in updates]

    def _events(self, changes, created, now):
        """One ListingEvent per listing (actor: none, the import is a system/operator action) and its ListingChange."""
        reason = self._reason(created)
        insert_rows(
            ListingEvent.__table__,
            [
                {
                    "listing_id": lid,
                    "actor_id": None,
                    "from_status": old,
                    "to_status": new,
                    "action": EVENT_ACTION,
                    "reason": reason,
                    "created_at": now,
                }
                for lid, old, new in changes
            ],
        )
        record_changes([lid for lid, _old, _new in changes], insert_rows=insert_rows, now=now)

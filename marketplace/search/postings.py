"""Fixes to Whoosh installed by index.py (same on-disk format): a faster posting pool and flush for
SegmentWriter, and searcher refresh that sees merges and deletions.

Whoosh's PostingPool appends one (field, term, docnum, weight, value) tuple per posting, sorts them all at
flush time and, at flush, reads each posting's field length back from the lengths column on disk: about 40%
of a bulk build. Here postings are grouped by (field, term) as they arrive, so the flush sorts only the
distinct terms, and field lengths are read once per document and field. Past `limitmb` the groups are
spilled as a sorted run exactly like Whoosh's pool does, so memory stays bounded.
"""
from array import array

from whoosh import index as whoosh_index
from whoosh import writing
from whoosh.externalsort import SortingPool

_GROUP_BYTES = 250  # a new (field, term) group: key tuple, term bytes, two arrays and a list
_POSTING_BYTES = 24  # one posting in a group: docnum (4), weight (8), value pointer (8), array slack


class GroupedPostingPool(writing.PostingPool):
    """PostingPool that keeps postings grouped by (fieldname, tbytes) in compact arrays, not one flat list.

    A group is [docnums array, weights array, values list, sorted flag]: ~24 bytes a posting (values are often
    shared objects) against ~150 for Whoosh's tuples, so `limitmb` holds about six times more postings.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.groups = {}

    def add(self, item):
        fieldname, tbytes, docnum, weight, vbytes = item
        key = (fieldname, tbytes)
        group = self.groups.get(key)
        if group is None:
            self.fieldnames.add(fieldname)
            group = self.groups[key] = [array("i"), array("d"), [], True]
            self.currentsize += _GROUP_BYTES + len(tbytes)
        docs = group[0]
        if docs and docnum < docs[-1]:
            group[3] = False
        docs.append(docnum)
        group[1].append(weight)
        group[2].append(vbytes)
        self.currentsize += _POSTING_BYTES + (len(vbytes) if vbytes else 0)
        if self.currentsize > self.limit:
            self.save()

    def _sorted(self):
        groups, self.groups = self.groups, {}
        for key in sorted(groups):
            fieldname, tbytes = key
            docs, weights, values, in_order = groups.pop(key)
            rows = zip(docs, weights, values, strict=True)
            if not in_order:
                rows = sorted(rows, key=lambda row: row[0])
            for docnum, weight, vbytes in rows:
                yield fieldname, tbytes, docnum, weight, vbytes

    def save(self):
        if self.groups:
            self.current = list(self._sorted())
            SortingPool.save(self)
        self.currentsize = 0

    def items(self, maxfiles=128):
        if not self.runs:
            return self._sorted()
        self.save()
        return SortingPool.items(self, maxfiles=maxfiles)

    def iter_postings(self):
        return self.items()


class CachedLengths:
    """doc_field_length() of a per-document reader, read once per field into a list."""

    def __init__(self, reader):
        self.reader = reader
        self.count = reader.doc_count_all()
        self.fields = {}

    def doc_field_length(self, docnum, fieldname, default=0):
        lengths = self.fields.get(fieldname)
        if lengths is None:
            get = self.reader.doc_field_length
            lengths = self.fields[fieldname] = [get(d, fieldname, default) for d in range(self.count)]
        return lengths[docnum] if 0 <= docnum < self.count else default


def _flush_segment(self):
    """SegmentWriter._flush_segment with field lengths cached (same postings, same files)."""
    self.perdocwriter.close()
    pdr = self.per_document_reader() if self.codec.length_stats else None
    postings = self.pool.iter_postings()
    self.fieldwriter.add_postings(self.schema, CachedLengths(pdr) if pdr else None, postings)
    self.fieldwriter.close()
    if pdr:
        pdr.close()


def install():
    """Make every SegmentWriter (and the multiprocessing writer's sub-writers) use the faster pool and flush,
    and refreshed searchers see merges and deletions."""
    writing.PostingPool = GroupedPostingPool
    writing.SegmentWriter._flush_segment = _flush_segment
    whoosh_index.FileIndex._reader = classmethod(_reader)


def _reader(cls, storage, schema, segments, generation, reuse=None):
    """FileIndex._reader that reuses an open segment reader only if its segment is still live and has the same
    deletions. Whoosh's own version re-adds the old reader's segments (merged-away segments came back: a
    refreshed searcher counted 10 documents in a 5-document index) and reuses readers whose segment gained
    deletions since (deleted and updated documents stayed visible until the segment was merged)."""
    from whoosh.reading import EmptyReader, MultiReader, SegmentReader

    reusable = {}
    if reuse is not None:
        for leaf, _offset in reuse.leaf_readers():
            segment = leaf.segment()
            if segment is not None:
                reusable[segment.segment_id()] = leaf
    used = set()

    def segment_reader(segment):
        leaf = reusable.get(segment.segment_id())
        if leaf is not None and leaf.segment().deleted_count() == segment.deleted_count():  # deletions only grow
            used.add(id(leaf))
            leaf._gen = generation
            return leaf
        return SegmentReader(storage, schema, segment, generation=generation)

    try:
        if not segments:
            return EmptyReader(schema)
        if len(segments) == 1:
            return segment_reader(segments[0])
        return MultiReader([segment_reader(s) for s in segments], generation=generation)
    finally:
        for leaf in reusable.values():
            if id(leaf) not in used:
                leaf.close()

"""Every change this project makes to Whoosh, in one place, installed explicitly by `install()` (called by the app
factory, and by IndexStore for code that works without an app). Whoosh is frozen (whoosh-reloaded 2.7.5, pinned
in requirements.txt; PITFALLS.md): `install()` refuses any other version, because each patch replaces a private
function of that exact release. None of them changes the files on disk: an index written with or without them
is the same index.

1. `whoosh.index.clean_files` -> `_clean_files_later`. Whoosh deletes the files of merged-away segments and old
   TOCs right after a commit. Our segments are plain files (compound=False, see IndexStore.writer) that readers
   in other processes open lazily, so searchers there failed mid-search. Now unused files are deleted only after
   DELETE_GRACE_SECONDS (their first-seen time kept in obsolete.json).
2. `whoosh.writing.PostingPool` -> `GroupedPostingPool`. Whoosh appends one (field, term, docnum, weight, value)
   tuple per posting and sorts them all at flush: about 40 % of a bulk build. Postings are grouped by
   (field, term) as they arrive in compact arrays (~24 bytes a posting against ~150), so the flush sorts only
   the distinct terms; past `limitmb` groups are spilled as a sorted run exactly like Whoosh's pool does.
3. `SegmentWriter._flush_segment` -> `_flush_segment`: field lengths read once per document and field
   (`CachedLengths`) instead of once per posting from the lengths column on disk.
4. `FileIndex._reader` -> `_reader`: a refreshed searcher reuses an open segment reader only if that segment is
   still live and has the same deletions. Whoosh's own version re-added merged-away segments (a refreshed
   searcher counted 10 documents in a 5-document index) and kept deleted or updated documents visible until
   the segment was merged.
5. `multiproc.SubWriterTask.run` -> `_subwriter_run`: a bulk build's forked sub-writers used to outlive a
   `flask listings import` killed with kill -9 and keep Whoosh's MAIN_WRITELOCK, freezing search. Each one now
   dies with its parent (index.die_with_parent: PR_SET_PDEATHSIG, or a watcher thread).
"""

import contextlib
import json
import os
import threading
import time
from array import array
from pathlib import Path

import whoosh
from whoosh import index as whoosh_index
from whoosh import multiproc, writing
from whoosh.externalsort import SortingPool

WHOOSH_VERSION = "2.7.5"  # whoosh-reloaded, pinned in requirements.txt

OBSOLETE_FILE = "obsolete.json"
DELETE_GRACE_SECONDS = 120.0


def _clean_files_later(storage, indexname, gen, segments):
    """Replacement for whoosh.index.clean_files: delete files of merged-away segments and old TOCs only after
    DELETE_GRACE_SECONDS. Segments are written as plain files (compound=False, see writer()), which readers
    open lazily; deleting them at once made searchers in other processes fail mid-search."""
    from whoosh.index import TOC

    current = {s.segment_id() for s in segments}
    tocs, segs = TOC._pattern(indexname), TOC._segment_pattern(indexname)
    unused = set()
    for filename in storage:
        toc, seg = tocs.match(filename), segs.match(filename)
        if (toc and int(toc.group(1)) != gen) or (seg and seg.group(1) not in current):
            unused.add(filename)
    path = Path(storage.folder) / OBSOLETE_FILE
    try:
        since = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        since = {}
    now = time.time()
    since = {name: since.get(name, now) for name in unused}
    for name, first in list(since.items()):
        if now - first >= DELETE_GRACE_SECONDS:
            with contextlib.suppress(OSError):
                storage.delete_file(name)
            del since[name]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(since))
    os.replace(tmp, path)


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


_installed = False
_install_lock = threading.Lock()


_whoosh_subwriter_run = multiproc.SubWriterTask.run


def _subwriter_run(task):
    from .index import die_with_parent  # at run time, in the forked child: index imports this module

    die_with_parent(getattr(task, "_parent_pid", None))
    return _whoosh_subwriter_run(task)


def install():
    """Apply the five patches (once per process). Raises RuntimeError on any other Whoosh release."""
    global _installed
    if _installed:
        return
    with _install_lock:
        if _installed:
            return
        if whoosh.versionstring() != WHOOSH_VERSION:
            raise RuntimeError(
                f"the search patches are written for Whoosh {WHOOSH_VERSION}, "
                f"found {whoosh.versionstring()}: check marketplace/search/whoosh_patches.py"
            )
        whoosh_index.clean_files = _clean_files_later  # SegmentWriter imports it from whoosh.index at commit time
        writing.PostingPool = GroupedPostingPool
        writing.SegmentWriter._flush_segment = _flush_segment
        whoosh_index.FileIndex._reader = classmethod(_reader)
        multiproc.SubWriterTask.run = _subwriter_run
        _installed = True

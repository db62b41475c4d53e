"""Attachment checks and storage: PDF, PNG and JPEG only, recognised by their content, stored under uuid names.

Files are validated completely (in memory) before anything is written; the caller removes written files
again when the database commit fails.
"""

import io
import logging
import os
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from ..extensions import db
from .models import Attachment

log = logging.getLogger(__name__)

# content type -> (magic prefix, allowed file name extensions)
ALLOWED_TYPES = {
    "application/pdf": (b"%PDF-", (".pdf",)),
    "image/png": (b"\x89PNG\r\n\x1a\n", (".png",)),
    "image/jpeg": (b"\xff\xd8\xff", (".jpg", ".jpeg")),
}
PILLOW_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG"}


class AttachmentError(ValueError):
    """A file that cannot be accepted; the message is shown to the user."""


@dataclass
class Upload:
    """A checked file, held in memory until it is stored."""

    original_name: str
    content_type: str
    data: bytes

    @property
    def size(self):
        return len(self.data)


def clean_original_name(filename):
    """The file's own name without any client-side path, at most 255 characters; kept as data only."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(ch for ch in name if ch.isprintable())
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 250 - len(ext)] + dot + ext) if dot else name[:255]
    return name or "attachment"


def sniff_type(data):
    """The allowed content type whose magic bytes start `data`, else None."""
    for content_type, (magic, _exts) in ALLOWED_TYPES.items():
        if data.startswith(magic):
            return content_type
    return None


def _image_is_sound(data, content_type):
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            if img.format != PILLOW_FORMATS[content_type]:
                return False
            img.verify()
    except Exception:  # Pillow raises many kinds of errors on broken or hostile images
        return False
    return True


def check_upload(storage, max_bytes):
    """Read and check one uploaded file (werkzeug FileStorage); returns an Upload or raises AttachmentError."""
    name = clean_original_name(storage.filename)
    data = storage.stream.read(max_bytes + 1)
    if not data:
        raise AttachmentError(_("文件“%(name)s”是空文件。", name=name))
    if len(data) > max_bytes:
        raise AttachmentError(
            _("文件“%(name)s”超过 %(mb)s MB 的大小限制。", name=name, mb=f"{max_bytes / 1024 / 1024:g}")
        )
    ext = os.path.splitext(name)[1].lower()
    content_type = sniff_type(data)
    if content_type is None or ext not in ALLOWED_TYPES[content_type][1]:
        raise AttachmentError(_("文件“%(name)s”不是有效的 PDF、PNG 或 JPEG 文件。", name=name))
    if content_type in PILLOW_FORMATS and not _image_is_sound(data, content_type):
        raise AttachmentError(_("图片“%(name)s”已损坏或无法识别。", name=name))
    return Upload(original_name=name, content_type=content_type, data=data)


def check_uploads(storages, max_bytes, max_count=10):
    """Check every uploaded file of a form field before anything is written; one bad file refuses them all."""
    uploads = [check_upload(storage, max_bytes) for storage in storages or [] if getattr(storage, "filename", None)]
    if len(uploads) > max_count:
        raise AttachmentError(_("一次最多上传 %(n)s 个附件。", n=max_count))
    return uploads


def upload_folder():
    folder = current_app.config["UPLOAD_FOLDER"]
    os.makedirs(folder, exist_ok=True)
    return folder


def stored_path(stored_name):
    return os.path.join(current_app.config["UPLOAD_FOLDER"], stored_name)


def store_uploads(listing, uploads, user):
    """Write checked files and add Attachment rows; returns the written paths (to remove if the commit fails)."""
    folder = upload_folder() if uploads else None
    written = []
    try:
        for upload in uploads:
            stored_name = uuid.uuid4().hex
            path = os.path.join(folder, stored_name)
            with open(path, "xb") as fh:
                fh.write(upload.data)
            written.append(path)
            db.session.add(
                Attachment(
                    listing=listing,
                    stored_name=stored_name,
                    original_name=upload.original_name,
                    content_type=upload.content_type,
                    size=upload.size,
                    uploaded_by_id=user.id,
                )
            )
    except OSError:
        remove_files(written)
        raise
    return written


def remove_files(paths):
    """Delete files, ignoring those already gone (used after a failed commit or a deletion)."""
    for path in paths:
        try:
            os.remove(path)
        except FileNotFoundError:
            pass
        except OSError:
            log.exception("could not remove attachment file %s", path)

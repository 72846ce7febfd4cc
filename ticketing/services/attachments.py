"""Attachments: checked by content (not only by name) against the tenant's allowed
types and size, stored through Django's storage (local files or S3)."""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import uuid
from dataclasses import dataclass
from typing import IO, Any

import puremagic
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models import Sum
from django.utils.translation import gettext as _

from tenants.db import connection
from tenants.models import DEFAULT_ATTACHMENT_TYPES
from ticketing.errors import AttachmentRejected
from ticketing.models import Attachment, Message, Ticket
from ticketing.services._common import tenant_settings

DEFAULT_MAX_MB = 20
TEXT_TYPES = {"text/plain", "text/csv"}
#: Office formats are ZIP containers: the sniffed type is generic, the name decides.
ZIP_CONTAINERS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


@dataclass(frozen=True)
class CheckedFile:
    filename: str
    content_type: str
    content: bytes
    sha256: str


def attachment_limits() -> tuple[int, set[str]]:
    """The tenant's largest attachment (MB) and accepted types, shown before upload."""
    return _limits()


def _limits() -> tuple[int, set[str]]:
    settings = tenant_settings()
    if settings is None:
        return DEFAULT_MAX_MB, set(DEFAULT_ATTACHMENT_TYPES)
    allowed = set(settings.allowed_attachment_types or DEFAULT_ATTACHMENT_TYPES)
    return settings.max_attachment_mb, allowed


def _sniff(content: bytes, filename: str) -> str:
    """The type the bytes really are; text has no magic number, so decode it."""
    guessed_by_name = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    try:
        matches = puremagic.magic_string(content[:8192], filename)
    except (puremagic.PureError, ValueError):
        matches = []
    # Matches without matched bytes are guesses from the name: not evidence.
    mime_types = [m.mime_type for m in matches if m.mime_type and m.byte_match]
    if mime_types:
        if "application/zip" in mime_types and guessed_by_name in ZIP_CONTAINERS:
            return guessed_by_name
        if guessed_by_name in mime_types:
            return guessed_by_name
        return mime_types[0]
    if b"\x00" not in content[:8192]:
        try:
            content[:8192].decode("utf-8")
        except UnicodeDecodeError:
            return "application/octet-stream"
        return "text/csv" if guessed_by_name == "text/csv" else "text/plain"
    return "application/octet-stream"


def attachment_check(*, filename: str, content: bytes) -> CheckedFile:
    max_mb, allowed = _limits()
    safe_name = (filename or "attachment").replace("/", "_").replace("\\", "_")[-200:]
    if not content:
        raise AttachmentRejected(_("“%(name)s” is empty.") % {"name": safe_name})
    if len(content) > max_mb * 1024 * 1024:
        raise AttachmentRejected(
            _("“%(name)s” is larger than %(limit)d MB.") % {"name": safe_name, "limit": max_mb}
        )
    content_type = _sniff(content, safe_name)
    if content_type not in allowed:
        raise AttachmentRejected(
            _("Files of type %(type)s are not accepted (“%(name)s”).")
            % {"type": content_type, "name": safe_name}
        )
    claimed = mimetypes.guess_type(safe_name)[0]
    if claimed and claimed != content_type and not _compatible(claimed, content_type):
        raise AttachmentRejected(
            _("“%(name)s” does not contain what its name says (%(type)s).")
            % {"name": safe_name, "type": content_type}
        )
    return CheckedFile(
        filename=safe_name,
        content_type=content_type,
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
    )


def _compatible(claimed: str, actual: str) -> bool:
    return claimed in TEXT_TYPES and actual in TEXT_TYPES


def read_upload(upload: Any) -> tuple[str, bytes]:
    """(name, bytes) of an UploadedFile, a (name, bytes) pair or a named file object."""
    if isinstance(upload, tuple):
        return str(upload[0]), bytes(upload[1])
    stream: IO[bytes] = upload
    if hasattr(upload, "seek"):
        upload.seek(0)
    return str(getattr(upload, "name", "attachment")), stream.read()


@dataclass(frozen=True)
class StoredFile:
    """A checked file already written to storage, waiting for its database row."""

    name: str
    filename: str
    content_type: str
    size: int
    sha256: str


def attachments_prepare(uploads: list[Any]) -> list[StoredFile]:
    """Check every upload, then write them to storage — before the caller's transaction,
    so that no storage call (S3 is a network call) happens inside it. Nothing is
    written unless every file passes."""
    checked = [
        attachment_check(filename=name, content=content)
        for name, content in map(read_upload, uploads)
    ]
    check_storage_left(adding=sum(len(item.content) for item in checked))
    stored = []
    for item in checked:
        name = default_storage.save(
            upload_path(item.filename), ContentFile(item.content, name=item.filename)
        )
        stored.append(
            StoredFile(
                name=name,
                filename=item.filename,
                content_type=item.content_type,
                size=len(item.content),
                sha256=item.sha256,
            )
        )
    return stored


def check_storage_left(*, adding: int) -> None:
    """The plan's attachment storage (``tenant.limits.storage_mb``) is not exceeded."""
    from ticketing.limits import current_limits

    if adding <= 0:
        return  # nothing to store: no need to read the plan
    limit_mb = current_limits().storage_mb
    if limit_mb is None:
        return
    used = Attachment.objects.aggregate(total=Sum("size"))["total"] or 0
    if used + adding > limit_mb * 1024 * 1024:
        raise AttachmentRejected(
            _(
                "The attachment storage of your plan (%(limit)d MB) is full. Upgrade the plan "
                "or delete old attachments."
            )
            % {"limit": limit_mb}
        )


def upload_path(filename: str) -> str:
    # The schema keeps tenants' files apart in shared storage; the random part keeps
    # names unguessable.
    return f"{connection.schema_name}/attachments/{uuid.uuid4().hex}/{filename}"


def attachments_attach(
    *, ticket: Ticket, message: Message | None, files: list[StoredFile], uploaded_by: Any
) -> list[Attachment]:
    """Create the rows for prepared files (inside the caller's transaction)."""
    return Attachment.objects.bulk_create(
        Attachment(
            ticket=ticket,
            message=message,
            file=item.name,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
            uploaded_by=uploaded_by,
        )
        for item in files
    )


def attachments_discard(files: list[StoredFile]) -> None:
    """Remove prepared files whose transaction failed (best effort)."""
    for item in files:
        with contextlib.suppress(OSError):
            default_storage.delete(item.name)

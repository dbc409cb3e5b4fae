"""Attachments: accepting a PDF (contract section 8) and handing one out for download."""
from __future__ import annotations

import io
import re

from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader
from pypdf.errors import PdfReadError
from pypdf.generic import DictionaryObject, IndirectObject
from werkzeug.utils import secure_filename

from app.models import Attachment, Referral
from app.models.enums import AttachmentKind
from app.security import scope_for
from app.services import audit
from app.services.errors import Collector, NotFound
from app.services.referrals import get_in_scope, require_editable
from app.storage import storage

ACTIVE_KEYS = {"/JavaScript", "/JS", "/OpenAction", "/Launch", "/EmbeddedFile", "/EmbeddedFiles",
               "/AA", "/RichMedia", "/SubmitForm", "/ImportData"}


def _active_content(reader: PdfReader) -> str | None:
    """The first active-content key found anywhere in the document, or ``None``."""
    seen: set[int] = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            if obj.idnum in seen:
                continue
            seen.add(obj.idnum)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            for key, value in obj.items():
                if key in ACTIVE_KEYS:
                    return key
                if key == "/S" and value in ("/JavaScript", "/Launch", "/SubmitForm", "/ImportData"):
                    return str(value)
                stack.append(value)
        elif isinstance(obj, list):
            stack.extend(obj)
    return None


def pdf_problem(data: bytes) -> str | None:
    """Why ``data`` is not an acceptable PDF, or ``None`` when it is."""
    limit_mb = current_app.config["MAX_ATTACHMENT_MB"]
    if len(data) > limit_mb * 1024 * 1024:
        return _("The file is larger than %(mb)d MB.", mb=limit_mb)
    if not data.startswith(b"%PDF-"):
        return _("The file is not a PDF.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=True)
        if reader.is_encrypted:
            return _("The PDF is encrypted or password-protected; attach an unprotected copy.")
        if len(reader.pages) == 0:
            return _("The PDF has no pages.")
        found = _active_content(reader)
    except (PdfReadError, ValueError, KeyError, TypeError, RecursionError, OSError):
        return _("The file could not be read as a PDF.")
    if found:
        return _("The PDF carries active content (%(what)s); print it to a plain PDF first.", what=found)
    return None


def safe_filename(filename: str | None) -> str:
    name = secure_filename(filename or "") or "attachment"
    name = re.sub(r"\.pdf$", "", name, flags=re.IGNORECASE)[:120] or "attachment"
    return name + ".pdf"


def add_attachment(referral: Referral, kind: str, filename: str | None, data: bytes, user) -> Attachment:
    """Attach a PDF to a draft or returned referral of the user's school; refuse with the
    contract's error shape and store nothing when the file is not acceptable."""
    require_editable(referral, user)
    errors = Collector()
    if kind not in AttachmentKind.values():
        errors.add("kind", _("Choose one of: %(values)s.", values=", ".join(AttachmentKind.values())))
    problem = pdf_problem(data or b"")
    if problem:
        errors.add("file", problem)
    errors.raise_if_any(_("The file was not attached."))
    attachment = Attachment(
        referral=referral,
        kind=kind,
        filename=safe_filename(filename),
        content_type="application/pdf",
        size_bytes=len(data),
        sha256=storage.put(data),
        uploaded_by_id=user.id,
    )
    from app.extensions import db

    db.session.add(attachment)
    db.session.flush()
    audit.record("upload", "attachment", attachment.id, school_id=referral.school_id,
                 detail={"referral_id": referral.id, "kind": kind})
    return attachment


def open_for_download(attachment_id, user) -> tuple[Attachment, bytes]:
    """The attachment and its bytes, if ``user``'s scope reaches it (``NotFound`` otherwise).
    Every download is audited."""
    attachment = get_in_scope(Attachment, attachment_id, scope_for(user))
    data = storage.get(attachment.sha256)
    if data is None:
        raise NotFound(_("Not found."))
    audit.record("download", "attachment", attachment.id, school_id=attachment.referral.school_id,
                 detail={"referral_id": attachment.referral_id})
    return attachment, data


def download_headers(attachment: Attachment) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{safe_filename(attachment.filename)}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-store",
    }


def remove_attachment(referral: Referral, attachment_id: int, user) -> None:
    """Remove an attachment of an editable referral; its bytes go when nothing refers to them."""
    from app.extensions import db

    require_editable(referral, user)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.referral_id != referral.id:
        raise NotFound(_("Not found."))
    key = attachment.sha256
    db.session.delete(attachment)
    db.session.flush()
    storage.release(key)
    audit.record("update", "referral", referral.id, school_id=referral.school_id,
                 detail={"attachment_removed": attachment_id})

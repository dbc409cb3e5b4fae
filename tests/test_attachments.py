"""Attachments (contract section 8): PDF by content, refused files leave nothing stored."""
from __future__ import annotations

import io

import pytest
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, TextStringObject

from app.models import Attachment, AttachmentContent, AuditEvent
from app.services.demo_pdf import make_pdf
from tests.conftest import api_token, login
from tests.factories import count_rows


def _writer_pdf(configure) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    configure(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _encrypted():
    return _writer_pdf(lambda w: w.encrypt("secret"))


def _javascript():
    def configure(writer):
        script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                                   NameObject("/JS"): TextStringObject("app.alert('hi');")})
        names = DictionaryObject({NameObject("/JavaScript"): DictionaryObject(
            {NameObject("/Names"): ArrayObject([TextStringObject("hello"), writer._add_object(script)])})})
        writer._root_object[NameObject("/Names")] = names
    return _writer_pdf(configure)


def _embedded_file():
    return _writer_pdf(lambda w: w.add_attachment("note.txt", b"hello"))


def _open_action():
    def configure(writer):
        action = DictionaryObject({NameObject("/S"): NameObject("/Launch"),
                                   NameObject("/F"): TextStringObject("calc.exe")})
        writer._root_object[NameObject("/OpenAction")] = action
    return _writer_pdf(configure)


def _one_byte_over(app):
    limit = app.config["MAX_ATTACHMENT_MB"] * 1024 * 1024
    pdf = make_pdf("big")
    return pdf[:-6] + b" " * (limit - len(pdf) + 1) + pdf[-6:]


REFUSED = [
    ("png named .pdf", lambda app: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "not a PDF"),
    ("truncated pdf", lambda app: make_pdf("cut")[:150], "could not be read"),
    ("encrypted pdf", lambda app: _encrypted(), "encrypted"),
    ("empty file", lambda app: b"", "not a PDF"),
    ("one byte over the limit", _one_byte_over, "larger than"),
    ("html named .pdf", lambda app: b"<html><script>alert(1)</script></html>", "not a PDF"),
    ("pdf with javascript", lambda app: _javascript(), "active content"),
    ("pdf with an embedded file", lambda app: _embedded_file(), "active content"),
    ("pdf with a launch open action", lambda app: _open_action(), "active content"),
]


def _upload(client, referral_id, data, kind="attendance_record", name="record.pdf"):
    return client.post(f"/referrals/{referral_id}/attachments",
                       data={"kind": kind, "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("case,make,message", REFUSED, ids=[r[0] for r in REFUSED])
def test_refused_files_store_nothing(app, world, case, make, message):
    clerk = login(app.test_client(), "clerk")
    before = (count_rows(app, Attachment), count_rows(app, AttachmentContent))
    response = _upload(clerk, world.own, make(app))
    assert response.status_code == 422
    assert message.encode() in response.data
    assert (count_rows(app, Attachment), count_rows(app, AttachmentContent)) == before


def test_a_good_pdf_is_stored_audited_and_downloadable(app, world):
    clerk = login(app.test_client(), "clerk")
    pdf = make_pdf("Attendance record for the test")
    response = _upload(clerk, world.own, pdf, name="../../etc/Record Nov.PDF")
    assert response.status_code == 302
    assert count_rows(app, Attachment, referral_id=world.own) == 2
    assert count_rows(app, AuditEvent, action="upload") == 1
    with app.app_context():
        from sqlalchemy import select

        from app.extensions import db

        newest = db.session.scalar(select(Attachment).order_by(Attachment.id.desc()))
        assert newest.filename == "etc_Record_Nov.pdf"
        attachment_id = newest.id
    download = clerk.get(f"/referrals/{world.own}/attachments/{attachment_id}")
    assert download.data == pdf
    assert download.headers["Content-Disposition"] == 'attachment; filename="etc_Record_Nov.pdf"'


def test_unknown_kind_is_refused(app, world):
    clerk = login(app.test_client(), "clerk")
    response = _upload(clerk, world.own, make_pdf("x"), kind="selfie")
    assert response.status_code == 422
    assert count_rows(app, Attachment, referral_id=world.own) == 1


def test_removing_an_attachment_frees_its_content(app, world):
    clerk = login(app.test_client(), "clerk")
    assert clerk.post(f"/referrals/{world.own}/attachments/{world.own_attachment}/delete").status_code == 302
    assert count_rows(app, Attachment, id=world.own_attachment) == 0
    assert count_rows(app, AttachmentContent) == 1  # only the other school's file is left


def test_county_staff_download_but_cannot_upload(app, world):
    staff = login(app.test_client(), "caseworker")
    assert staff.get(f"/referrals/{world.other}/attachments/{world.other_attachment}").status_code == 200
    assert _upload(staff, world.own, make_pdf("x")).status_code == 403


def test_files_are_never_under_static(app, world):
    client = app.test_client()
    token = api_token(client, "clerk")
    assert client.get("/static/attendance.pdf", headers={"Authorization": f"Bearer {token}"}).status_code == 404

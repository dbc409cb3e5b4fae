"""Marshmallow schemas of the referral sub-resources (bodies in, results out, and the OpenAPI
document). Field rules that are the product's live in the services, not here."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.models.enums import AttachmentKind, CloseReason, InterventionKind, Status


class FamilyMemberSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=150))
    relationship = fields.String(allow_none=True, validate=validate.Length(max=60))
    address = fields.String(allow_none=True, validate=validate.Length(max=200))
    city = fields.String(allow_none=True, validate=validate.Length(max=100))
    state = fields.String(allow_none=True, validate=validate.Length(max=2))
    zip = fields.String(allow_none=True, validate=validate.Length(max=10))
    phone_cell = fields.String(allow_none=True, validate=validate.Length(max=30))
    phone_home = fields.String(allow_none=True, validate=validate.Length(max=30))
    phone_work = fields.String(allow_none=True, validate=validate.Length(max=30))
    email = fields.String(allow_none=True, validate=validate.Length(max=254))
    interpreter_needed = fields.Boolean(load_default=False)
    language = fields.String(allow_none=True, validate=validate.Length(max=60))


class InterventionSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(required=True, validate=validate.OneOf(InterventionKind.values()))
    date = fields.Date(allow_none=True)
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))


class AttachmentSchema(Schema):
    id = fields.Integer(dump_only=True)
    kind = fields.String(validate=validate.OneOf(AttachmentKind.values()))
    filename = fields.String(dump_only=True)
    content_type = fields.String(dump_only=True)
    size_bytes = fields.Integer(dump_only=True)
    uploaded_at = fields.DateTime(dump_only=True)


class MessageSchema(Schema):
    id = fields.Integer(dump_only=True)
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    author = fields.Function(lambda m: m.author.get_full_name() if m.author else None, dump_only=True)
    author_role = fields.Function(lambda m: "county" if m.author and m.author.school_id is None else "school",
                                  dump_only=True)
    created_at = fields.DateTime(dump_only=True)


class TransitionSchema(Schema):
    to = fields.String(required=True, validate=validate.OneOf(Status.values()))
    note = fields.String(allow_none=True, validate=validate.Length(max=5000))
    reason = fields.String(allow_none=True, validate=validate.OneOf(CloseReason.values()))
    assigned_to = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class HistorySchema(Schema):
    id = fields.Integer()
    from_status = fields.String(data_key="from", allow_none=True)
    to_status = fields.String(data_key="to")
    by = fields.Function(lambda c: c.changed_by.get_full_name() if c.changed_by else None)
    at = fields.DateTime(attribute="changed_at")
    note = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)


class ErrorSchema(Schema):
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()), required=True)


SCHEMAS = [FamilyMemberSchema, InterventionSchema, AttachmentSchema, MessageSchema, TransitionSchema,
           HistorySchema, ErrorSchema]

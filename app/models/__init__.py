"""Every mapped class, imported so that mappers and Alembic see them all."""
from app.models.access import AccessRequest
from app.models.attachment import Attachment, AttachmentContent
from app.models.audit import AuditEvent
from app.models.referral import FamilyMember, Intervention, Message, Referral, StatusChange
from app.models.school import District, School, SchoolYear
from app.models.tally import ReferralTally
from app.models.user import PortalUser

__all__ = [
    "AccessRequest",
    "Attachment",
    "AttachmentContent",
    "AuditEvent",
    "District",
    "FamilyMember",
    "Intervention",
    "Message",
    "PortalUser",
    "ReferralTally",
    "Referral",
    "School",
    "SchoolYear",
    "StatusChange",
]

#: Models whose rows belong to a school, and the path from each to its school id.
SCHOOL_OWNED = {
    Referral: "school_id",
    FamilyMember: "referral.school_id",
    Intervention: "referral.school_id",
    Attachment: "referral.school_id",
    Message: "referral.school_id",
    StatusChange: "referral.school_id",
}

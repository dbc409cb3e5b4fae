"""The referral pages: "My school's referrals" (or the county's list) and one page per referral
with the seven tabs of the county form. Views parse input, call a service, and render."""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from flask import Response, flash, g, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import i18n
from app.database import as_id
from app.extensions import db
from app.models import Referral
from app.models.enums import (
    DATED_INTERVENTIONS,
    AttachmentKind,
    CloseReason,
    InterventionKind,
    SchoolKind,
    Status,
)
from app.security import current_scope, is_county_user, is_school_user
from app.services import attachments as attachment_service
from app.services import directory, eligibility, workflow
from app.services import messages as message_service
from app.services import referrals as referral_service
from app.services.errors import NotFound, PortalError, ValidationFailed
from app.views.forms import AttachmentForm, FamilyMemberForm, NewReferralForm, ReferralForm

TAB_LABELS = [
    ("student", _l("Student")),
    ("family", _l("Family")),
    ("truancy", _l("Truancy")),
    ("intervention", _l("Intervention")),
    ("special_education", _l("Special Education")),
    ("contacts", _l("Contacts")),
    ("attachments", _l("Attachments")),
]
PER_PAGE = 25
#: Bootstrap label colour of each status, wherever a status is shown.
STATUS_COLOURS = {"draft": "default", "submitted": "primary", "under_review": "info", "returned": "warning",
                  "accepted": "success", "declined": "danger", "withdrawn": "default", "closed": "default"}


def _load(pk: int) -> Referral:
    """The referral if the user's scope reaches it (404 otherwise), with its children."""
    referral = db.session.scalar(
        select(Referral).where(Referral.id == pk, current_scope().clause(Referral.school_id))
        .options(selectinload(Referral.family_members), selectinload(Referral.interventions),
                 selectinload(Referral.attachments), selectinload(Referral.status_changes))
    )
    if referral is None:
        raise NotFound(_("Not found."))
    return referral


def _date_or_none(text: str | None):
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return "invalid"


class ReferralPageView(BaseView):
    route_base = "/referrals"
    default_view = "home"
    class_permission_name = "ReferralPage"
    method_permission_name = {
        "home": "list", "new": "add", "page": "show", "save": "edit", "add_family": "edit",
        "update_family": "edit", "delete_family": "edit", "interventions": "edit", "upload": "edit",
        "delete_attachment": "edit", "download": "download", "submit": "submit", "delete": "delete",
        "move": "transition", "message": "message",
    }

    # --- Lists --------------------------------------------------------------------------

    @expose("/")
    @has_access
    def home(self):
        scope = current_scope()
        filters = {key: request.args.get(key, "") for key in referral_service.LIST_FILTERS}
        try:
            page_number = max(1, int(request.args.get("page", 1)))
        except ValueError:
            page_number = 1
        page = referral_service.search(scope, filters, page_number, PER_PAGE)
        school_user = is_school_user(g.user)
        menus = directory.choices()
        status_labels = {status.value: str(status.label) for status in Status}  # translated once
        return self.render_template(
            "referral/list.html",
            page=page, rows=_list_rows(page.rows, status_labels), filters=filters, school_user=school_user,
            numbers={key: format_number(getattr(page, key)) for key in ("total", "page", "pages")},  # 1,668
            title=_("My school's referrals") if school_user else _("Referrals"),
            schools=[] if school_user else [s for s in menus["schools"] if scope.allows(s[0])],
            districts=[] if school_user else menus["districts"],
            years=menus["years"],
            statuses=list(status_labels.items()),
            grades=[(str(grade), _("K") if grade == 0 else str(grade)) for grade in range(0, 13)],
        )

    @expose("/new", methods=["GET", "POST"])
    @has_access
    def new(self):
        form = NewReferralForm()
        if form.validate_on_submit():
            created = []
            errors = _commit(lambda: created.append(referral_service.create_draft(
                {"student_first_name": form.student_first_name.data.strip(),
                 "student_last_name": form.student_last_name.data.strip()}, g.user)))
            if errors:
                _attach_errors(form, ValidationFailed(_("Some fields need attention."), errors))
            else:
                flash(_("Draft saved. Fill in each tab, then submit."), "success")
                return redirect(url_for(".page", pk=created[0].id))
        return self.render_template("referral/new.html", form=form, title=_("New referral"))

    # --- The referral page ----------------------------------------------------------------

    @expose("/<int:pk>")
    @has_access
    def page(self, pk):
        referral = _load(pk)
        referral_service.record_view(referral)
        db.session.commit()
        return self._render(referral, ReferralForm(obj=referral))

    def _render(self, referral, form, family_form=None, attachment_form=None, tab=None, errors=None,
                intervention_input=None, family_errors=None, status=200):
        editable = (is_school_user(g.user) and referral.status in referral_service.EDITABLE_STATUSES)
        evaluation = eligibility.evaluate(referral) if editable else None
        # Hints: what the rules still miss (shown calmly while the clerk works); problems: what
        # a save or a submission just refused (shown in red).
        hints = dict(evaluation.errors) if evaluation else {}
        hints.pop("unexcused_full_days", None)  # the live day counter under the fields says it
        problems = {key: list(messages) for key, messages in (errors or {}).items()}
        # The live day counter on the Truancy tab states the absence rule; show it there once.
        thresholds = referral.school_year
        needed = thresholds.re_referral_days if referral.is_re_referral else thresholds.min_days
        sentence = eligibility.days_sentence(eligibility.absence_days(referral), needed)
        days_refused = sentence in problems.get("unexcused_full_days", [])
        if days_refused:
            problems["unexcused_full_days"].remove(sentence)
            problems.setdefault("absence_days", [sentence])
        days_left = referral_service.days_left(referral)
        return self.render_template(
            "referral/page.html",
            referral=referral, form=form, editable=editable, evaluation=evaluation,
            problems=problems, hints=hints, days_refused=days_refused,
            family_form=family_form,
            attachment_form=attachment_form or AttachmentForm(formdata=None),
            family_errors=family_errors or {},
            tabs=TAB_LABELS, active_tab=tab or request.args.get("tab") or "student",
            interventions=_intervention_rows(referral, intervention_input),
            attachment_kinds=AttachmentKind, is_online=referral.school.kind == SchoolKind.ONLINE,
            days_left=days_left, deletion_near=referral_service.deletion_is_near(days_left),
            moves=workflow.available_moves(g.user, referral),
            thread=message_service.thread(referral),
            caseworkers=workflow.caseworkers() if is_county_user(g.user) else [],
            close_reasons=list(CloseReason), is_county=is_county_user(g.user),
            title=_("Referral #%(id)d", id=referral.id),
        ), status

    @expose("/<int:pk>/save", methods=["POST"])
    @has_access
    def save(self, pk):
        referral = _load(pk)
        form = ReferralForm()
        tab = request.form.get("tab") or "student"
        if not form.validate():
            return self._render(referral, form, tab=_first_error_tab(form.errors) or tab,
                                errors=form.errors, status=422)
        try:
            referral_service.update_draft(referral, form.values(), g.user)
            db.session.commit()
        except PortalError as error:
            db.session.rollback()
            referral = _load(pk)
            _attach_errors(form, error)
            return self._render(referral, form, tab=_first_error_tab(error.errors) or tab,
                                errors=error.errors, status=error.status)
        flash(_("Saved."), "success")
        return redirect(url_for(".page", pk=pk, tab=tab))

    @expose("/<int:pk>/family", methods=["POST"])
    @has_access
    def add_family(self, pk):
        return self._save_family(pk, None)

    @expose("/<int:pk>/family/<int:member_id>", methods=["POST"])
    @has_access
    def update_family(self, pk, member_id):
        return self._save_family(pk, member_id)

    def _save_family(self, pk, member_id):
        referral = _load(pk)
        member = None if member_id is None else referral_service.family_member_of(referral, member_id)
        form = FamilyMemberForm(prefix=family_prefix(member_id))
        errors = form.errors if not form.validate() else None
        if errors is None:
            errors = _commit(lambda: referral_service.save_family_member(referral, form.values(), g.user, member))
            if errors:
                referral = _load(pk)
        if errors:
            return self._render(referral, ReferralForm(obj=referral), family_form=form, tab="family",
                                family_errors={"member": member_id, "errors": errors}, status=422)
        flash(_("Family member saved."), "success")
        return redirect(url_for(".page", pk=pk, tab="family"))

    @expose("/<int:pk>/family/<int:member_id>/delete", methods=["POST"])
    @has_access
    def delete_family(self, pk, member_id):
        referral = _load(pk)
        member = referral_service.family_member_of(referral, member_id)
        referral_service.remove_family_member(referral, member, g.user)
        db.session.commit()
        flash(_("Family member removed."), "success")
        return redirect(url_for(".page", pk=pk, tab="family"))

    @expose("/<int:pk>/interventions", methods=["POST"])
    @has_access
    def interventions(self, pk):
        referral = _load(pk)
        items, errors = [], {}
        for kind in InterventionKind:
            if not request.form.get(f"check_{kind.value}"):
                continue
            day = _date_or_none(request.form.get(f"date_{kind.value}"))
            if day == "invalid":
                errors.setdefault(kind.value, []).append(_("Enter the date as YYYY-MM-DD."))
                day = None
            items.append({"kind": kind.value, "date": day, "note": request.form.get(f"note_{kind.value}")})
        if not errors:
            errors = _commit(lambda: referral_service.replace_interventions(referral, items, g.user))
            if errors:
                referral = _load(pk)
        if errors:
            return self._render(referral, ReferralForm(obj=referral), tab="intervention",
                                errors={"interventions": [_("Some interventions need attention.")]},
                                intervention_input={"form": request.form, "errors": errors}, status=422)
        flash(_("Interventions saved."), "success")
        return redirect(url_for(".page", pk=pk, tab="intervention"))

    @expose("/<int:pk>/attachments", methods=["POST"])
    @has_access
    def upload(self, pk):
        referral = _load(pk)
        form = AttachmentForm()
        upload = request.files.get("file")
        errors = None
        if not form.validate() or upload is None:
            errors = form.errors or {"file": [_("Choose a PDF file.")]}
        else:
            errors = _commit(lambda: attachment_service.add_attachment(
                referral, form.kind.data, upload.filename, upload.read(), g.user))
            if errors:
                referral = _load(pk)
        if errors:
            return self._render(referral, ReferralForm(obj=referral), attachment_form=form, tab="attachments",
                                errors={"attachments": [m for msgs in errors.values() for m in msgs]}, status=422)
        flash(_("File attached."), "success")
        return redirect(url_for(".page", pk=pk, tab="attachments"))

    @expose("/<int:pk>/attachments/<int:attachment_id>/delete", methods=["POST"])
    @has_access
    def delete_attachment(self, pk, attachment_id):
        referral = _load(pk)
        attachment_service.remove_attachment(referral, attachment_id, g.user)
        db.session.commit()
        flash(_("Attachment removed."), "success")
        return redirect(url_for(".page", pk=pk, tab="attachments"))

    @expose("/<int:pk>/attachments/<int:attachment_id>")
    @has_access
    def download(self, pk, attachment_id):
        attachment, data = attachment_service.open_for_download(attachment_id, g.user)
        if attachment.referral_id != pk:
            db.session.rollback()
            raise NotFound(_("Not found."))
        db.session.commit()
        return Response(data, mimetype="application/pdf", headers=attachment_service.download_headers(attachment))

    @expose("/<int:pk>/submit", methods=["POST"])
    @has_access
    def submit(self, pk):
        referral = _load(pk)
        try:
            workflow.submit(referral, g.user)
            db.session.commit()
        except ValidationFailed as error:
            db.session.rollback()
            referral = _load(pk)
            flash(_("The referral cannot be submitted yet: see the marked tabs."), "danger")
            return self._render(referral, ReferralForm(obj=referral), errors=error.errors,
                                tab=_first_error_tab(error.errors), status=422)
        flash(_("Submitted to the county. You can follow its status here."), "success")
        return redirect(url_for(".page", pk=pk))

    @expose("/<int:pk>/move", methods=["POST"])
    @has_access
    def move(self, pk):
        """A status move from the page's buttons (review, return, accept, decline, close,
        withdraw); the workflow decides, as it does for the API."""
        referral = _load(pk)
        to = request.form.get("to", "")
        assigned = request.form.get("assigned_to") or None
        try:
            workflow.transition(referral, to, g.user, note=request.form.get("note"),
                                reason=request.form.get("reason") or None,
                                assigned_to=as_id(assigned))
            db.session.commit()
        except ValidationFailed as error:
            db.session.rollback()
            for messages in error.errors.values():
                for message in messages:
                    flash(message, "danger")
            return redirect(url_for(".page", pk=pk))
        flash(_("The referral is now %(status)s.", status=Status(to).label), "success")
        return redirect(url_for(".page", pk=pk))

    @expose("/<int:pk>/messages", methods=["POST"])
    @has_access
    def message(self, pk):
        referral = _load(pk)
        try:
            message_service.post(referral, g.user, request.form.get("body"))
            db.session.commit()
        except ValidationFailed as error:
            db.session.rollback()
            flash(error.errors.get("body", [error.message])[0], "danger")
            return redirect(url_for(".page", pk=pk, _anchor="messages"))
        flash(_("Message sent."), "success")
        return redirect(url_for(".page", pk=pk, _anchor="messages"))

    @expose("/<int:pk>/delete", methods=["POST"])
    @has_access
    def delete(self, pk):
        referral = _load(pk)
        referral_service.delete_draft(referral, g.user)
        db.session.commit()
        flash(_("Draft deleted."), "success")
        return redirect(url_for(".home"))


class ListRow(NamedTuple):
    """One line of the referral list, ready to print."""

    id: int
    student: str
    is_re_referral: bool
    school: str
    grade: str
    status: str
    status_label: str
    colour: str
    created: str
    submitted: str
    days_left: str  # drafts only: "12 days" before the 30-day deletion
    urgent: bool  # a week or less left


def _list_rows(rows, labels: dict[str, str]) -> list[ListRow]:
    """The list's rows formatted in Python, with each label translated once per page, not per row
    (``labels``: status code -> label)."""
    from app.clock import today

    kindergarten, day = _("K"), today()
    lines = []
    # The columns of referral_service.search(), by position (quicker than by name).
    for id_, first, last, status, grade, created, submitted, re_referral, school in rows:
        left = referral_service.days_left_of(status, created, day)
        lines.append(ListRow(
            id=id_, student=f"{first} {last}", is_re_referral=bool(re_referral), school=school,
            grade="" if grade is None else (kindergarten if grade == 0 else str(grade)),
            status=status, status_label=labels.get(status, status), colour=STATUS_COLOURS.get(status, "default"),
            created=created.date().isoformat(), submitted=submitted.date().isoformat() if submitted else "",
            days_left="" if left is None else i18n.ngettext("%(num)d day", "%(num)d days", left),
            urgent=referral_service.deletion_is_near(left),
        ))
    return lines


def family_prefix(member_id) -> str:
    """Each family member's form has its own field names, so several fit on one page."""
    return f"m{member_id}" if member_id is not None else "new"


def template_globals() -> dict:
    from app.models.enums import Status

    return {
        "status_label": lambda code: Status(code).label if code else "",
        "status_colours": STATUS_COLOURS,
        "field_tab": lambda name: eligibility.FIELD_TAB.get(name, "student"),
        "family_form_for": lambda member: FamilyMemberForm(formdata=None, obj=member,
                                                           prefix=family_prefix(member.id)),
        "new_family_form": lambda: FamilyMemberForm(formdata=None, prefix=family_prefix(None)),
    }


def _commit(work) -> dict | None:
    """Run ``work()`` (a service call) and commit. A refusal of the input rolls back and returns
    its field errors for the page to show; a 403, 404 or 409 goes on to the error pages."""
    try:
        work()
        db.session.commit()
    except PortalError as error:
        db.session.rollback()
        if error.status in (403, 404, 409):
            raise
        return error.errors
    return None


def _first_error_tab(errors) -> str | None:
    order = [key for key, _label in TAB_LABELS]
    tabs = {eligibility.FIELD_TAB.get(name, "student") for name in (errors or {})}
    return next((tab for tab in order if tab in tabs), None)


def _attach_errors(form, error: PortalError) -> None:
    for name, messages in error.errors.items():
        if name in form._fields:
            form._fields[name].errors = list(form._fields[name].errors or []) + list(messages)


def _intervention_rows(referral, submitted=None):
    """The county's intervention list, each row with its current (or just submitted) values."""
    current = {}
    for item in referral.interventions:
        current.setdefault(item.kind, item)
    form = submitted["form"] if submitted else None
    errors = submitted["errors"] if submitted else {}
    rows = []
    for kind in InterventionKind:
        item = current.get(kind.value)
        if form is not None:
            checked = bool(form.get(f"check_{kind.value}"))
            date_value = form.get(f"date_{kind.value}") or ""
            note = form.get(f"note_{kind.value}") or ""
        else:
            checked = item is not None
            date_value = item.date.isoformat() if item and item.date else ""
            note = item.note or "" if item else ""
        rows.append({
            "kind": kind.value, "label": kind.label, "dated": kind in DATED_INTERVENTIONS,
            "note_allowed": kind in (InterventionKind.PARENT_MEETING, InterventionKind.OTHER),
            "checked": checked, "date": date_value, "note": note, "errors": errors.get(kind.value, []),
        })
    return rows

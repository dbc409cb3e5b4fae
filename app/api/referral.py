"""The referral REST API (contract section 3), scoped like the HTML pages."""
from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.api.base import CountingInterface, PortalModelRestApi
from app.api.schemas import (
    SCHEMAS,
    AttachmentSchema,
    FamilyMemberSchema,
    HistorySchema,
    InterventionSchema,
    MessageSchema,
    TransitionSchema,
)
from app.extensions import db
from app.security import current_scope
from app.models import Referral
from app.services import referrals as referral_service
from app.services import attachments as attachment_service
from app.services import messages as message_service
from app.services import workflow
from app.services.errors import PortalError, ValidationFailed

FIELDS = list(referral_service.EDITABLE_FIELDS)


class ReferralApi(PortalModelRestApi):
    resource_name = "referral"
    datamodel = CountingInterface(Referral)
    allow_browser_login = True
    list_columns = ["id", "status", "school.id", "school.name", "school_year.name",
                    "student_first_name", "student_last_name", "student_grade",
                    "created_at", "submitted_at"]
    show_columns = ["id", "status", "school.id", "school.name", "school_year.name",
                    "created_at", "updated_at", "submitted_at", *FIELDS]
    add_columns = edit_columns = FIELDS
    order_columns = ["created_at", "submitted_at", "student_last_name", "status"]
    search_columns = ["status", "student_last_name", "student_grade", "is_re_referral", "created_at"]
    openapi_spec_component_schemas = tuple(SCHEMAS)

    #: Rison arguments the lean list path understands; anything else goes through FAB.
    LEAN_ARGS = {"order_column", "order_direction", "page", "page_size"}

    def get_list_headless(self, **kwargs):
        """The common list call (ordered, paged, no filters or column choices) answered with two
        Core queries instead of FAB's object graph; the JSON is the same (a test compares)."""
        args = kwargs.get("rison", {})
        if set(args) - self.LEAN_ARGS or args.get("order_column") not in self.order_columns:
            return super().get_list_headless(**kwargs)
        from flask_appbuilder.const import API_SELECT_COLUMNS_RIS_KEY

        response = {}
        self.set_response_key_mappings(response, self.get_list, args, **{API_SELECT_COLUMNS_RIS_KEY: []})
        order_column, order_direction = self._handle_order_args(args)
        page_index, page_size = self._handle_page_args(args)
        total, rows = referral_service.list_page(current_scope(), order_column, order_direction == "desc",
                                                 page_index * page_size, page_size)
        response["result"] = [{
            "id": r.id, "status": r.status, "student_first_name": r.student_first_name,
            "student_last_name": r.student_last_name, "student_grade": r.student_grade,
            "created_at": r.created_at.isoformat(), "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            "school": {"id": r.school_id, "name": r.school_name}, "school_year": {"name": r.school_year_name},
        } for r in rows]
        response["ids"] = [r.id for r in rows]
        response["count"] = total
        return self.response(200, **response)

    def before_add(self, item):
        referral_service.prepare_new_draft(item, self.user)

    def after_add(self, item):
        referral_service.record_created(item)

    def before_update(self, item):
        referral_service.prepare_update(item, self.user)

    def before_delete(self, item):
        referral_service.require_editable(item, self.user)

    @expose("/<int:pk>/submit", methods=["POST"])
    @protect()
    @safe
    @permission_name("submit")
    def submit(self, pk):
        """Submit a draft or returned referral to the county.
        ---
        post:
          parameters:
          - in: path
            schema:
              type: integer
            name: pk
          responses:
            200:
              description: The submitted referral
              content:
                application/json:
                  schema:
                    type: object
                    properties:
                      id:
                        type: integer
                      result:
                        $ref: '#/components/schemas/{{self.__class__.__name__}}.get'
            401:
              $ref: '#/components/responses/401'
            403:
              $ref: '#/components/responses/403'
            404:
              $ref: '#/components/responses/404'
            409:
              description: The referral's status does not allow a submission
            422:
              description: Rules of contract section 6 that fail, by field
        """
        referral = self.datamodel.get(pk, self._base_filters)
        if referral is None:
            return self.response_404()
        try:
            workflow.submit(referral, self.user)
            db.session.commit()
        except PortalError as error:
            return self.response_error(error)
        return self.response(200, id=referral.id, result=self.show_model_schema.dump(referral))

    # --- Sub-resources: every one finds the referral through the scope (404 outside it) ------

    def _referral(self, pk):
        return self.datamodel.get(pk, self._base_filters)

    def _run(self, pk, work, status=200):
        """``work(referral)`` for the referral ``pk`` if the scope reaches it (404 otherwise)."""
        referral = self._referral(pk)
        if referral is None:
            return self.response_404()
        return self.run_service(lambda: work(referral), status)

    def _children(self, pk, schema, listed, add):
        """A sub-resource of the referral: GET lists ``listed(referral)``; POST loads the body
        through ``schema``, runs ``add(referral, body)`` (a service call) and answers 201."""
        if request.method == "GET":
            return self._run(pk, lambda r: {"result": schema.dump(listed(r), many=True)})

        def work(referral):
            item = add(referral, self.json_body(schema))
            return {"id": item.id, "result": schema.dump(item)}
        return self._run(pk, work, status=201)

    @expose("/<int:pk>/transition", methods=["POST"])
    @protect()
    @safe
    @permission_name("transition")
    def transition(self, pk):
        """Move the referral to another status (contract section 7).
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/TransitionSchema'}
          responses:
            200: {description: The referral after the move}
            401: {$ref: '#/components/responses/401'}
            403: {description: The user's role may never make this move}
            404: {$ref: '#/components/responses/404'}
            409: {description: The current status does not allow this move}
            422: {description: A note, reason or caseworker is missing or wrong}
        """
        def work(referral):
            data = self.json_body(TransitionSchema())
            workflow.transition(referral, data["to"], self.user, note=data.get("note"),
                                reason=data.get("reason"), assigned_to=data.get("assigned_to"))
            return {"id": referral.id, "result": self.show_model_schema.dump(referral)}
        return self._run(pk, work)

    @expose("/<int:pk>/family", methods=["GET", "POST"])
    @protect()
    @safe
    @permission_name("get")
    def family(self, pk):
        """Family members and guardians of the referral.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: 'The family members: {"result": [FamilyMemberSchema]}'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/FamilyMemberSchema'}
          responses:
            201: {description: The new family member}
            401: {$ref: '#/components/responses/401'}
            403: {description: Only school staff add family members}
            404: {$ref: '#/components/responses/404'}
            409: {description: The referral can no longer be changed}
            422: {description: Fields that are not valid}
        """
        return self._children(pk, FamilyMemberSchema(), lambda r: r.family_members,
                              lambda r, body: referral_service.save_family_member(r, body, self.user))

    @expose("/<int:pk>/interventions", methods=["GET", "POST"])
    @protect()
    @safe
    @permission_name("get")
    def interventions(self, pk):
        """Interventions the school attempted (contract section 5).
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: 'The interventions: {"result": [InterventionSchema]}'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/InterventionSchema'}
          responses:
            201: {description: The new intervention}
            401: {$ref: '#/components/responses/401'}
            403: {description: Only school staff add interventions}
            404: {$ref: '#/components/responses/404'}
            409: {description: The referral can no longer be changed}
            422: {description: Fields that are not valid}
        """
        return self._children(pk, InterventionSchema(), lambda r: r.interventions,
                              lambda r, body: referral_service.add_intervention(r, body, self.user))

    @expose("/<int:pk>/attachments", methods=["GET", "POST"])
    @protect()
    @safe
    @permission_name("get")
    def attachments(self, pk):
        """Attachments: GET lists their metadata; POST uploads a PDF (multipart: file, kind).
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: 'Metadata: {"result": [AttachmentSchema]}'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              multipart/form-data:
                schema:
                  type: object
                  required: [file, kind]
                  properties:
                    file: {type: string, format: binary}
                    kind: {type: string, enum: [attendance_record, services_plan, disenrollment_evidence, other]}
          responses:
            201: {description: The stored attachment's metadata}
            401: {$ref: '#/components/responses/401'}
            403: {description: Only school staff upload}
            404: {$ref: '#/components/responses/404'}
            409: {description: The referral can no longer be changed}
            422: {description: Not an acceptable PDF, or an unknown kind; nothing was stored}
        """
        schema = AttachmentSchema()
        if request.method == "GET":
            return self._run(pk, lambda r: {"result": schema.dump(r.attachments, many=True)})

        def work(referral):
            upload = request.files.get("file")
            if upload is None:
                raise ValidationFailed("The file was not attached.", {"file": ["Send the PDF as 'file'."]})
            attachment = attachment_service.add_attachment(referral, request.form.get("kind", ""), upload.filename,
                                                           upload.read(), self.user)
            return {"id": attachment.id, "result": schema.dump(attachment)}
        return self._run(pk, work, status=201)

    @expose("/<int:pk>/attachments/<int:attachment_id>", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def attachment_file(self, pk, attachment_id):
        """The attachment's PDF, as a download.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          - {in: path, name: attachment_id, required: true, schema: {type: integer}}
          responses:
            200:
              description: The PDF
              content:
                application/pdf:
                  schema: {type: string, format: binary}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        def work(referral):
            attachment, data = attachment_service.open_for_download(attachment_id, self.user)
            if attachment.referral_id != referral.id:
                from app.services.errors import NotFound

                raise NotFound("Not found.")
            return Response(data, mimetype="application/pdf",
                            headers=attachment_service.download_headers(attachment))
        return self._run(pk, work)

    @expose("/<int:pk>/messages", methods=["GET", "POST"])
    @protect()
    @safe
    @permission_name("message")
    def messages(self, pk):
        """Messages between the school and the county, oldest first.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: 'The thread: {"result": [MessageSchema]}'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {$ref: '#/components/schemas/MessageSchema'}
          responses:
            201: {description: The new message}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
            422: {description: An empty or too long message}
        """
        return self._children(pk, MessageSchema(), message_service.thread,
                              lambda r, body: message_service.post(r, self.user, body["body"]))

    @expose("/<int:pk>/history", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def history(self, pk):
        """Status changes: from, to, by, at, note, reason.
        ---
        get:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: 'The history: {"result": [HistorySchema]}'}
            401: {$ref: '#/components/responses/401'}
            404: {$ref: '#/components/responses/404'}
        """
        return self._run(pk, lambda r: {"result": HistorySchema().dump(r.status_changes, many=True)})

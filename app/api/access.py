"""Access requests over the API (contract section 3): public POST, County Admin decides."""
from __future__ import annotations

from flask_appbuilder.api import BaseApi, expose, protect, safe
from flask_appbuilder.security.decorators import permission_name

from app.api.base import ErrorShapeMixin
from app.security import request_user
from app.services import access


def _dump(item) -> dict:
    return {"id": item.id, "first_name": item.first_name, "last_name": item.last_name, "email": item.email,
            "phone": item.phone, "school_id": item.school_id, "job_title": item.job_title, "reason": item.reason,
            "status": item.status, "created_at": item.created_at.isoformat(),
            "business_days": access.age_in_business_days(item), "overdue": access.is_overdue(item),
            "decision_note": item.decision_note, "user_id": item.user_id}


class AccessRequestApi(ErrorShapeMixin, BaseApi):
    resource_name = "access-request"
    openapi_spec_tag = "Access requests"

    @expose("/", methods=["POST"])
    @safe
    def create(self):
        """Ask for access (public, no token; throttled per address).
        ---
        post:
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  type: object
                  required: [first_name, last_name, email, phone, school_id, job_title, reason]
                  properties:
                    first_name: {type: string}
                    last_name: {type: string}
                    email: {type: string}
                    phone: {type: string}
                    school_id: {type: integer}
                    job_title: {type: string}
                    reason: {type: string}
          security: []
          responses:
            201: {description: The request was received}
            422: {description: Fields that are not valid}
            429: {description: Too many requests from this address}
        """
        def work():
            body = self.json_body()
            values = {k: body.get(k) for k in access.FIELDS}
            values["school_id"] = str(values["school_id"]) if isinstance(values["school_id"], int) else ""
            for key in access.FIELDS:
                if key != "school_id" and values[key] is not None and not isinstance(values[key], str):
                    values[key] = ""
            item = access.submit(values)
            return {"id": item.id, "message": "Received. The county reviews requests within two business days."}
        return self.run_service(work, status=201)

    @expose("/", methods=["GET"])
    @protect()
    @safe
    @permission_name("get")
    def list(self):
        """The queue: pending first, with their age in business days.
        ---
        get:
          responses:
            200: {description: '{"result": [access request]}'}
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
        """
        return self.response(200, result=[_dump(item) for item in access.queue()])

    @expose("/<int:pk>/approve", methods=["POST"])
    @protect()
    @safe
    @permission_name("decide")
    def approve(self, pk):
        """Approve: creates the School Staff user and mails a set-password link (idempotent).
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          responses:
            200: {description: The user that was created}
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Denied before, or the email already has a user}
        """
        def work():
            user = access.approve(pk, request_user())
            return {"id": pk, "user": {"id": user.id, "username": user.username}}
        return self.run_service(work)

    @expose("/<int:pk>/deny", methods=["POST"])
    @protect()
    @safe
    @permission_name("decide")
    def deny(self, pk):
        """Deny with a note, which is mailed to the requester.
        ---
        post:
          parameters:
          - {in: path, name: pk, required: true, schema: {type: integer}}
          requestBody:
            required: true
            content:
              application/json:
                schema: {type: object, required: [note], properties: {note: {type: string}}}
          responses:
            200: {description: Denied}
            401: {$ref: '#/components/responses/401'}
            403: {$ref: '#/components/responses/403'}
            404: {$ref: '#/components/responses/404'}
            409: {description: Already decided}
            422: {description: The note is missing}
        """
        def work():
            note = self.json_body().get("note")
            item = access.deny(pk, request_user(), note if isinstance(note, str) else None)
            return {"id": item.id, "status": item.status}
        return self.run_service(work)

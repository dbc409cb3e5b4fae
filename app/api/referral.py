"""The referral REST API (contract section 3), scoped like the HTML pages."""
from __future__ import annotations

from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.decorators import permission_name

from app.api.base import PortalModelRestApi
from app.extensions import db
from app.models import Referral
from app.services import referrals as referral_service
from app.services import workflow
from app.services.errors import PortalError

FIELDS = list(referral_service.EDITABLE_FIELDS)


class ReferralApi(PortalModelRestApi):
    resource_name = "referral"
    datamodel = SQLAInterface(Referral)
    allow_browser_login = True
    list_columns = ["id", "status", "school.id", "school.name", "school_year.name",
                    "student_first_name", "student_last_name", "student_grade",
                    "created_at", "submitted_at"]
    show_columns = ["id", "status", "school.id", "school.name", "school_year.name",
                    "created_at", "updated_at", "submitted_at", *FIELDS]
    add_columns = edit_columns = FIELDS
    order_columns = ["created_at", "submitted_at", "student_last_name", "status"]
    search_columns = ["status", "student_last_name", "student_grade", "is_re_referral", "created_at"]

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

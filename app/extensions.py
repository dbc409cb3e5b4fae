"""Extensions, created unbound; ``create_app`` binds them."""
from flask_appbuilder import Model
from flask_appbuilder.models.sqla.base import SQLA
from flask_mail import Mail
from flask_migrate import Migrate
from flask_wtf.csrf import CSRFProtect

# FAB's declarative base carries the security tables; sharing its metadata lets Alembic see
# every table (a plain SQLA() makes autogenerate propose dropping them all).
db = SQLA(metadata=Model.metadata)
migrate = Migrate()
csrf = CSRFProtect()
mail = Mail()
# AppBuilder is created per app in create_app (it keeps views and menus on the instance);
# reach it as current_app.appbuilder.

"""Flask extensions, created unbound and initialised in :func:`pmg.create_app`."""

from typing import TYPE_CHECKING, Any

from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.model import Model as FlaskSQLAlchemyModel
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from pmg.core.models import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

if TYPE_CHECKING:

    class Model(Base, FlaskSQLAlchemyModel):
        """What ``db.Model`` is: made at run time from Base and Flask-SQLAlchemy's mixin,
        held in an attribute, which a type checker cannot take as a base class."""

else:
    Model = db.Model


def render_migration_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render our column types as plain SQLAlchemy types in Alembic revisions."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_item)
cache = Cache()  # pmg.core.caching: values kept until the data changes
csrf = CSRFProtect()
login_manager = LoginManager()

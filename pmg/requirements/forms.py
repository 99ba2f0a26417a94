from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import InputRequired

from pmg.core.forms import REQUIRED


class CatalogForm(FlaskForm):
    source = TextAreaField(
        "Catálogo de requisitos (YAML)",
        description=(
            "Para modificar un catálogo que ya se usó en envíos o revisiones, cambie "
            "«version»: se crea una versión nueva, que pasa a ser la vigente, y la "
            "anterior se conserva. Con la misma «version» se corrige la versión actual "
            "mientras nadie la haya usado."
        ),
        validators=[InputRequired(REQUIRED)],
        render_kw={"rows": 30, "spellcheck": "false", "class": "source-text"},
    )

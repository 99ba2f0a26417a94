from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from pmg.auth.importer import MAX_ROWS
from pmg.auth.operations import MIN_PASSWORD_LENGTH, password_problem
from pmg.core.forms import INVALID_CHOICE, INVALID_EMAIL, REQUIRED, CheckboxListField
from pmg.core.permissions import Role

UNKNOWN_INSTITUTION = "Marque solo instituciones de la lista."


def _password_rules(form: FlaskForm, field: PasswordField) -> None:
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class LoginForm(FlaskForm):
    email = EmailField("Correo electrónico", validators=[DataRequired(REQUIRED)])
    password = PasswordField("Contraseña", validators=[DataRequired(REQUIRED)])
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        "Correo electrónico",
        description="El correo con que ingresa al sistema.",
        validators=[DataRequired(REQUIRED), Email(INVALID_EMAIL), Length(max=254)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "Nueva contraseña",
        description=f"Al menos {MIN_PASSWORD_LENGTH} caracteres.",
        validators=[DataRequired(REQUIRED), _password_rules],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repita la nueva contraseña",
        validators=[
            DataRequired(REQUIRED),
            EqualTo("password", "Las contraseñas no coinciden."),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangeOwnPasswordForm(NewPasswordForm):
    current = PasswordField("Contraseña actual", validators=[DataRequired(REQUIRED)])


class UserForm(FlaskForm):
    name = StringField(
        "Nombre completo", validators=[DataRequired(REQUIRED), Length(max=200)]
    )
    email = EmailField(
        "Correo electrónico",
        validators=[DataRequired(REQUIRED), Email(INVALID_EMAIL), Length(max=254)],
    )
    role = SelectField(
        "Rol",
        choices=Role.choices(),
        validators=[DataRequired(REQUIRED)],
        invalid_choice_message=INVALID_CHOICE,
    )
    institutions = CheckboxListField(
        "Instituciones",
        description="Solo para coordinadores: las instituciones cuyos envíos gestiona.",
        coerce=int,
        invalid_value_message=UNKNOWN_INSTITUTION,
        invalid_choice_message=UNKNOWN_INSTITUTION,
    )

    def validate_institutions(self, field: CheckboxListField) -> None:
        if self.role.data == Role.COORDINATOR.value and not field.data:
            raise ValidationError("Seleccione al menos una institución para un coordinador.")


class NewUserForm(UserForm, NewPasswordForm):
    pass


class CoordinatorsUploadForm(FlaskForm):
    file = FileField(
        "Planilla de coordinadores (.xlsx)",
        description=f"Libro Excel con las columnas Correo, Nombre e Instituciones; hasta "
        f"{MAX_ROWS} filas.",
        validators=[FileRequired("Seleccione el archivo .xlsx con los coordinadores.")],
        render_kw={"accept": ".xlsx"},
    )

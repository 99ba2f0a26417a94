"""The consolidated sheets' answers, as marshmallow schemas (see :mod:`pmg.api.schemas`)."""

from __future__ import annotations

from marshmallow import Schema, fields

from pmg.api.schemas import PageSchema

# A cell as JSON: a number, text or nothing; a date (or a date-time) as ISO 8601 text.
CELL = {
    "type": ["number", "string", "null"],
    "description": "La celda del libro: un número, un texto tal como está en el libro (`-` "
    "donde la cifra no se informó), una fecha o fecha y hora (hora de Chile) en ISO 8601, o "
    "null si está vacía.",
}


class SheetLinksSchema(Schema):
    self = fields.String(required=True, metadata={"description": "Sus filas, por páginas."})
    csv = fields.String(required=True, metadata={"description": "Todas sus filas, en CSV."})


class SheetHeadSchema(Schema):
    name = fields.String(required=True, metadata={"description": "Nombre de la hoja del libro."})
    title = fields.String(required=True, metadata={"description": "Qué contiene."})
    columns = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "Los encabezados de sus columnas, en su orden."},
    )


class SheetSchema(SheetHeadSchema):
    rows = fields.Integer(required=True, metadata={"description": "Cuántas filas tiene."})
    links = fields.Nested(SheetLinksSchema, required=True)


class SheetsSchema(Schema):
    cycle = fields.Integer(required=True, metadata={"description": "Año del ciclo."})
    years = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Los años de las columnas por año, del más antiguo."},
    )
    items = fields.List(fields.Nested(SheetSchema), required=True)


class SheetPageSchema(PageSchema, SheetHeadSchema):
    cycle = fields.Integer(required=True, metadata={"description": "Año del ciclo."})
    items = fields.List(
        fields.Dict(keys=fields.String(), values=fields.Raw(allow_none=True, metadata=CELL)),
        required=True,
        metadata={
            "description": "Las filas, cada una con las celdas de la fila del libro por el "
            "encabezado de su columna (su orden está en `columns`)."
        },
    )

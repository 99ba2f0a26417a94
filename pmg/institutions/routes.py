from flask import Blueprint

bp = Blueprint("institutions", __name__, url_prefix="/instituciones")

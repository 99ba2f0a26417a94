"""Pages of a long list: the page number the query string asks for, and that page.

A page number is a whole number from 1 to the top of the database's integer range,
written in the query string as ``pagina``; without one, the first page. Anything
else there (text, 0, a negative or a fraction, 20 digits) is no page of any list: 404,
as for a path that does not exist, and it never reaches the database. A well-formed
number past the last page shows the last page: a list shrinks while someone keeps a
link to it (a filter narrows it, mail leaves the outbox), and the last page is the
nearest one that exists.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from pmg.core.routing import parse_db_int
from pmg.extensions import db

PAGE_ARG = "pagina"


def requested_page() -> int:
    """The page asked for in the query string: 1 when none; 404 when it is no page number."""
    text = request.args.get(PAGE_ARG, "")
    if not text:
        return 1
    page = parse_db_int(text)
    if not page:
        abort(404)
    return page


def paginate(query: Select[Any], page: int = 1) -> Pagination:
    """Page ``page`` of ``query``, ``PMG_PAGE_SIZE`` rows long; past the end, the last page.

    The last page is read again only when the one asked for is past the end.
    """
    per_page = current_app.config["PMG_PAGE_SIZE"]
    found = db.paginate(query, page=page, per_page=per_page, error_out=False)
    last = max(found.pages, 1)
    if found.page > last:
        found = db.paginate(query, page=last, per_page=per_page, error_out=False)
    return found

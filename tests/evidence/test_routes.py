from __future__ import annotations

import hashlib
import re
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from pmg.core.permissions import Role
from pmg.evidence.models import EvidenceFile
from pmg.evidence.operations import freeze
from pmg.extensions import db
from pmg.submissions.models import Submission, SubmissionKind, SubmissionState
from pmg.submissions.operations import open_submission, save_draft, submit
from tests.conftest import login
from tests.evidence.files import CSV, EXE, HTML, SVG, create_evidence, image, pdf, stored_files
from tests.exports.queries import counting_queries
from tests.factories import (
    create_cycle,
    create_institution,
    create_submitted_diagnostic,
    create_user,
    diagnostic_draft,
)
from tests.submissions.pages import flatten, post_page, saved_draft

FORM = "/instituciones/1306/diagnostico"
ACCEPTED = "Se aceptan archivos PDF, PNG, JPEG, DOCX, XLSX, ODT, ODS y CSV."


@pytest.fixture
def setting(app: Flask, client: FlaskClient, login_as) -> dict[str, Any]:
    institution = create_institution("1306")
    cycle = create_cycle(2026)
    coordinator = login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    submission = open_submission(institution, cycle, SubmissionKind.DIAGNOSTIC)
    save_draft(submission, diagnostic_draft(), coordinator, submission.lock_version)
    db.session.commit()
    return {"institution": institution, "cycle": cycle, "coordinator": coordinator}


def _upload(
    client: FlaskClient,
    data: bytes,
    name: str = "informe.pdf",
    url: str = FORM,
    draft: dict[str, Any] | None = None,
) -> Any:
    """«Adjuntar archivo» on the form page, with the saved draft (or ``draft``) on it."""
    return post_page(
        client,
        url,
        saved_draft() if draft is None else draft,
        "adjuntar",
        **{"evidencia-file": (BytesIO(data), name), "evidencia-action_key": ""},
    )


def _remove(client: FlaskClient, evidence_id: int, url: str = FORM) -> Any:
    return post_page(client, url, saved_draft(), f"eliminar-archivo:{evidence_id}")


def _file_error(client: FlaskClient) -> str:
    """The message shown at the file field after the redirect, or ``""``."""
    body = client.get(FORM).get_data(as_text=True)
    found = re.search(r'<p class="field-error" id="evidencia-file-error">(.*?)</p>', body, re.S)
    if found is None:
        return ""
    message = found.group(1).replace('<span class="visually-hidden">Error:</span>', "")
    return " ".join(message.split())


def _evidence() -> list[EvidenceFile]:
    db.session.expire_all()
    return list(db.session.scalars(select(EvidenceFile).order_by(EvidenceFile.id)))


def _download_path(evidence: EvidenceFile, code: str = "1306") -> str:
    return f"/instituciones/{code}/2026/diagnostico/evidencia/{evidence.id}"


def _flashes(client: FlaskClient) -> str:
    body = client.get(FORM).get_data(as_text=True)
    return " ".join(re.findall(r'<p class="flash flash-\w+">(.*?)</p>', body, re.S))


def _files(app: Flask) -> list[str]:
    return stored_files(app.config["PMG_UPLOAD_DIR"])


def test_upload_attaches_the_file_and_says_its_hash(client: FlaskClient, setting) -> None:
    data = pdf()
    response = _upload(client, data, "Informe de gestión.pdf")
    assert response.status_code == 302
    assert response.headers["Location"] == f"{FORM}#evidencia"
    digest = hashlib.sha256(data).hexdigest()
    assert _flashes(client) == (
        f"Se guardó el borrador. Se adjuntó «Informe de gestión.pdf» (SHA-256 {digest})."
    )
    (evidence,) = _evidence()
    assert (evidence.declared_name, evidence.sha256) == ("Informe de gestión.pdf", digest)
    assert evidence.uploaded_by_id == setting["coordinator"].id


REFUSED = [
    ("renamed executable", EXE, "programa.pdf", "El archivo es un programa o un script"),
    ("html", HTML, "pagina.csv", "parece una página web"),
    ("svg", SVG, "logo.png", "parece una página web, una imagen SVG"),
    ("executable named .pdf", EXE, "x.pdf", "El archivo es un programa o un script"),
    ("empty", b"", "vacio.pdf", "El archivo está vacío."),
]


@pytest.mark.parametrize(
    ("data", "name", "message"), [r[1:] for r in REFUSED], ids=[r[0] for r in REFUSED]
)
def test_hostile_uploads_are_refused_and_nothing_is_stored(
    app: Flask, client: FlaskClient, setting, data: bytes, name: str, message: str
) -> None:
    response = _upload(client, data, name)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{FORM}#evidencia"
    shown = _file_error(client)
    assert message in shown
    assert ACCEPTED in shown
    assert _evidence() == []
    assert _files(app) == []


def test_upload_without_a_file_says_so_at_the_field(client: FlaskClient, setting) -> None:
    response = post_page(client, FORM, saved_draft(), "adjuntar", **{"evidencia-action_key": ""})
    assert response.status_code == 302
    assert _file_error(client) == "Seleccione el archivo que quiere adjuntar."


def test_a_real_pdf_named_like_an_executable_is_kept_as_a_pdf(
    client: FlaskClient, setting
) -> None:
    _upload(client, pdf(), "acta.pdf.exe")
    (evidence,) = _evidence()
    assert evidence.declared_name == "acta.pdf.exe"
    response = client.get(_download_path(evidence))
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == 'attachment; filename=acta.pdf.exe.pdf'


@pytest.mark.parametrize(
    ("declared", "shown"),
    [
        ("../../etc/passwd.csv", "passwd.csv"),
        # Escaped as RFC 2616 asks; Werkzeug's test client sends the name as given.
        ("C:\\\\Windows\\\\x.pdf", "x.pdf"),
        ("acta\x00\x1b[31m.pdf", "acta[31m.pdf"),
        ("factura\u202efdp.pdf", "facturafdp.pdf"),
    ],
)
def test_path_like_and_control_character_names_are_cleaned(
    app: Flask, client: FlaskClient, setting, declared: str, shown: str
) -> None:
    _upload(client, CSV if declared.endswith(".csv") else pdf(), declared)
    (evidence,) = _evidence()
    assert evidence.declared_name == shown
    assert _files(app) == [f"{evidence.stored_name[:2]}/{evidence.stored_name}"]


def test_same_name_twice_keeps_both_files(app: Flask, client: FlaskClient, setting) -> None:
    _upload(client, pdf("primero"), "informe.pdf")
    _upload(client, pdf("segundo"), "informe.pdf")
    first, second = _evidence()
    assert first.declared_name == second.declared_name == "informe.pdf"
    assert first.stored_name != second.stored_name
    assert len(_files(app)) == 2
    for evidence, content in ((first, pdf("primero")), (second, pdf("segundo"))):
        downloaded = client.get(_download_path(evidence)).get_data()
        assert downloaded == content
        assert hashlib.sha256(downloaded).hexdigest() == evidence.sha256


@pytest.mark.parametrize(
    ("data", "name", "content_type", "disposition"),
    [
        (
            pdf(),
            "Informe de gestión.pdf",
            "application/pdf",
            "attachment; filename=\"Informe de gestion.pdf\"; "
            "filename*=UTF-8''Informe%20de%20gesti%C3%B3n.pdf",
        ),
        (CSV, "datos.csv", "text/csv", "attachment; filename=datos.csv"),
        (image("PNG"), "foto", "image/png", "attachment; filename=foto.png"),
        (
            pdf(),
            'acta "final"; v2.pdf',
            "application/pdf",
            'attachment; filename="acta _final_; v2.pdf"',
        ),
    ],
    ids=["non-ascii", "csv", "no extension", "quotes and semicolon"],
)
def test_download_is_a_safe_attachment(
    client: FlaskClient, setting, data: bytes, name: str, content_type: str, disposition: str
) -> None:
    # Created directly: Werkzeug's test client would not escape the quote in the upload.
    submission = db.session.scalar(select(Submission))
    evidence = create_evidence(submission, setting["coordinator"], data, name)
    response = client.get(_download_path(evidence))
    assert response.status_code == 200
    assert response.get_data() == data
    assert response.headers["Content-Type"] == content_type
    assert response.headers["Content-Disposition"] == disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "\n" not in response.headers["Content-Disposition"]


@pytest.mark.parametrize(
    "app_config", [{"PMG_MAX_UPLOAD_BYTES": 2048, "MAX_CONTENT_LENGTH": 4096}]
)
def test_an_upload_over_the_request_limit_gets_the_spanish_413_page(
    app: Flask, client: FlaskClient, setting
) -> None:
    response = _upload(client, pdf() + bytes(10_000))
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert "Archivo demasiado grande" in body
    assert "supera el tamaño máximo permitido" in body
    assert _evidence() == []
    assert _files(app) == []


@pytest.mark.parametrize("app_config", [{"PMG_MAX_UPLOAD_BYTES": 2048}])
def test_an_upload_over_the_file_limit_is_refused_with_the_limit(
    app: Flask, client: FlaskClient, setting
) -> None:
    response = _upload(client, pdf() + bytes(3000))
    assert response.status_code == 302
    assert _file_error(client) == (
        "El archivo supera el tamaño máximo de 2 KB. "
        "Reduzca su tamaño o divídalo en varios archivos."
    )
    assert _evidence() == []
    assert _files(app) == []


def test_an_upload_that_fails_half_way_leaves_no_row_and_no_file(
    app: Flask, client: FlaskClient, setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing_record(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("la base de datos se cayó")

    monkeypatch.setattr("pmg.evidence.operations.record", failing_record)
    assert _upload(client, pdf()).status_code == 500
    assert _evidence() == []
    assert _files(app) == []


def test_remove_takes_the_file_off(app: Flask, client: FlaskClient, setting) -> None:
    _upload(client, pdf(), "borrador.pdf")
    (evidence,) = _evidence()
    response = _remove(client, evidence.id)
    assert response.headers["Location"] == f"{FORM}#evidencia"
    assert _flashes(client) == "Se guardó el borrador. Se eliminó «borrador.pdf»."
    assert _evidence() == []
    assert _files(app) == []


def test_a_frozen_file_cannot_be_removed(app: Flask, client: FlaskClient, setting) -> None:
    _upload(client, pdf(), "acta.pdf")
    submission = db.session.scalar(select(Submission))
    version = submit(submission, setting["coordinator"], date.today(), submission.lock_version)
    freeze(version)
    submission.state = SubmissionState.OBSERVED
    db.session.commit()
    (evidence,) = _evidence()
    _remove(client, evidence.id)
    assert _flashes(client) == (
        "Se guardó el borrador. "
        "El archivo ya forma parte de la versión 1 enviada y no se puede eliminar."
    )
    assert len(_evidence()) == 1
    assert len(_files(app)) == 1


def test_nothing_can_be_attached_once_sent(app: Flask, client: FlaskClient, setting) -> None:
    submission = db.session.scalar(select(Submission))
    submission.state = SubmissionState.SUBMITTED
    db.session.commit()
    response = _upload(client, pdf())
    assert response.status_code == 409
    assert "ya no se puede modificar" in response.get_data(as_text=True)
    assert _evidence() == []
    assert _files(app) == []


def test_the_first_upload_saves_the_draft_and_attaches_the_file(
    app: Flask, client: FlaskClient, login_as
) -> None:
    institution = create_institution("1306")
    create_cycle(2026)
    login_as(create_user(Role.COORDINATOR, institutions=[institution]))
    body = client.get(FORM).get_data(as_text=True)
    assert ">Adjuntar archivo</button>" in body
    draft = diagnostic_draft()
    _upload(client, pdf(), "acta.pdf", draft=draft)
    assert saved_draft()["responsible"] == draft["responsible"]
    (evidence,) = _evidence()
    assert evidence.declared_name == "acta.pdf"
    assert len(_files(app)) == 1


def test_attaching_saves_what_was_typed_in_the_same_request(
    client: FlaskClient, setting
) -> None:
    typed = saved_draft()
    typed["responsible"]["name"] = "Nombre escrito justo antes de adjuntar"
    typed["gaps"][0]["description"] = "  Texto con  espacios\ny un salto de línea "
    _upload(client, pdf(), "acta.pdf", draft=typed)
    saved = saved_draft()
    assert saved["responsible"] == typed["responsible"]
    assert saved["gaps"][0]["description"] == "  Texto con  espacios\ny un salto de línea "
    assert [e.declared_name for e in _evidence()] == ["acta.pdf"]


def test_a_refused_upload_still_saves_what_was_typed(client: FlaskClient, setting) -> None:
    typed = saved_draft()
    typed["responsible"]["position"] = "Cargo escrito antes de un archivo rechazado"
    _upload(client, EXE, "programa.pdf", draft=typed)
    assert saved_draft()["responsible"] == typed["responsible"]
    assert _evidence() == []
    assert "El archivo es un programa o un script" in _file_error(client)


def test_an_upload_from_a_stale_page_is_refused_showing_what_was_typed(
    app: Flask, client: FlaskClient, setting
) -> None:
    typed = saved_draft()
    typed["responsible"]["name"] = "Escrito en una página desactualizada"
    submission = db.session.scalar(select(Submission))
    stale = str(submission.lock_version)
    save_draft(submission, diagnostic_draft(gaps=1), setting["coordinator"], int(stale))
    db.session.commit()
    data = {
        **flatten(typed),
        "lock_version": stale,
        "accion": "adjuntar",
        "evidencia-file": (BytesIO(pdf()), "acta.pdf"),
    }
    response = client.post(FORM, data=data, content_type="multipart/form-data")
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'value="Escrito en una página desactualizada"' in body
    assert "El archivo no se adjuntó: vuelva a elegirlo y adjúntelo." in body
    assert len(saved_draft()["gaps"]) == 1
    assert _evidence() == []
    assert _files(app) == []


def test_removing_saves_what_was_typed_in_the_same_request(
    client: FlaskClient, setting
) -> None:
    _upload(client, pdf(), "borrador.pdf")
    (evidence,) = _evidence()
    typed = saved_draft()
    typed["saip"]["received"] = "4.321"
    post_page(client, FORM, typed, f"eliminar-archivo:{evidence.id}")
    assert saved_draft()["saip"] == typed["saip"]
    assert _evidence() == []


# --- who may do what --------------------------------------------------------------------


@pytest.fixture
def two_institutions(app: Flask) -> dict[str, Any]:
    """1306 with a draft and one file; 3101_61 with a submitted diagnostic and one file."""
    own, other = create_institution("1306"), create_institution("3101_61")
    cycle = create_cycle(2026)
    coordinator = create_user(Role.COORDINATOR, institutions=[own])
    submission = open_submission(own, cycle, SubmissionKind.DIAGNOSTIC)
    db.session.commit()
    other_coordinator = create_user(Role.COORDINATOR, institutions=[other])
    version = create_submitted_diagnostic(other, cycle, other_coordinator)
    return {
        "coordinator": coordinator,
        "own": create_evidence(submission, coordinator, pdf("propio")),
        "other": create_evidence(version.submission, other_coordinator, pdf("ajeno")),
    }


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DIPRES, Role.ADMIN, Role.COORDINATOR])
def test_download_is_allowed_like_the_submission(
    client: FlaskClient, two_institutions, role: Role
) -> None:
    user = two_institutions["coordinator"] if role is Role.COORDINATOR else create_user(role)
    login(client, user.email)
    response = client.get(_download_path(two_institutions["own"]))
    assert response.status_code == 200
    assert response.get_data() == pdf("propio")


def test_another_institutions_coordinator_gets_404_everywhere(
    client: FlaskClient, two_institutions
) -> None:
    login(client, two_institutions["coordinator"].email)
    other = two_institutions["other"]
    assert client.get(_download_path(other, "3101_61")).status_code == 404
    other_form = "/instituciones/3101_61/diagnostico"
    assert _remove(client, other.id, other_form).status_code == 404
    assert _upload(client, pdf(), "x.pdf", other_form, diagnostic_draft()).status_code == 404
    assert len(_evidence()) == 2


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COORDINATOR])
def test_an_id_of_another_submission_is_404(
    client: FlaskClient, two_institutions, role: Role
) -> None:
    """The URL names the submission: another submission's file id is not found through it."""
    user = two_institutions["coordinator"] if role is Role.COORDINATOR else create_user(role)
    login(client, user.email)
    other = two_institutions["other"]
    assert client.get(_download_path(other, "1306")).status_code == 404
    assert client.get(
        f"/instituciones/1306/2026/plan/evidencia/{two_institutions['own'].id}"
    ).status_code == 404
    assert client.get(
        f"/instituciones/1306/2025/diagnostico/evidencia/{two_institutions['own'].id}"
    ).status_code == 404


@pytest.mark.parametrize("target", ["other", "99999", "9" * 20, "abc", ""])
def test_a_coordinator_cannot_remove_another_submissions_file_through_their_own_page(
    client: FlaskClient, two_institutions, target: str
) -> None:
    login(client, two_institutions["coordinator"].email)
    evidence_id = two_institutions["other"].id if target == "other" else target
    response = post_page(client, FORM, {}, f"eliminar-archivo:{evidence_id}")
    assert response.status_code == 302
    assert _flashes(client) == (
        "Se guardó el borrador. El archivo ya no está adjunto a este envío."
    )
    assert len(_evidence()) == 2


@pytest.mark.parametrize("role", [Role.REVIEWER, Role.DIPRES, Role.ADMIN])
def test_only_coordinators_upload_and_remove(
    client: FlaskClient, two_institutions, role: Role
) -> None:
    login(client, create_user(role).email)
    assert _upload(client, pdf(), draft=diagnostic_draft()).status_code == 403
    assert _remove(client, two_institutions["own"].id).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(EvidenceFile)) == 2


# --- the panel --------------------------------------------------------------------------


def test_the_panel_shows_on_the_diagnostic_form(client: FlaskClient, setting) -> None:
    _upload(client, pdf(), "Informe de gestión.pdf")
    (evidence,) = _evidence()
    body = client.get(FORM).get_data(as_text=True)
    panel = body[body.index('<section id="evidencia"') :]
    assert ">Medios de verificación</h2>" in panel
    assert f'href="{_download_path(evidence)}">Informe de gestión.pdf</a>' in panel
    assert "<td>Todo el diagnóstico</td>" in panel
    assert "<td>PDF</td>" in panel
    assert f'<code class="hash">{evidence.sha256}</code>' in panel
    assert (
        f'<button type="submit" name="accion" value="eliminar-archivo:{evidence.id}" '
        'class="link-button danger">'
        'Eliminar<span class="visually-hidden"> Informe de gestión.pdf</span></button>'
    ) in panel
    form = body[body.rindex("<form", 0, body.index('<section id="evidencia"')) :]
    assert form.startswith('<form method="post" enctype="multipart/form-data" novalidate')
    assert form.index('<section id="evidencia"') < form.index("</form>")
    assert '<label for="evidencia-file">Archivo</label>' in panel
    assert 'aria-describedby="evidencia-file-ayuda"' in panel
    assert f"{ACCEPTED} Tamaño máximo: 20 MB." in panel
    assert '<label for="evidencia-action_key">Adjuntar a</label>' in panel
    assert '<option value="">Todo el diagnóstico</option>' in panel
    assert "csrf_token" not in panel  # the page's form carries the one token
    assert '<button type="submit" name="accion" value="adjuntar"' in panel
    assert ">Adjuntar archivo</button>" in panel
    assert '<th scope="col">Código SHA-256</th>' in panel


def test_the_panel_is_read_only_once_sent(client: FlaskClient, setting) -> None:
    _upload(client, pdf(), "acta.pdf")
    submission = db.session.scalar(select(Submission))
    submission.state = SubmissionState.SUBMITTED
    db.session.commit()
    body = client.get(FORM).get_data(as_text=True)
    panel = body[body.index('<section id="evidencia"') :]
    assert "acta.pdf</a>" in panel
    assert "eliminar-archivo" not in panel
    assert "Adjuntar archivo" not in panel


def test_the_files_table_is_read_once_while_nothing_changes(client: FlaskClient, setting) -> None:
    """Laid out once (pmg.evidence.page.files_table): an upload and a removal show at once."""
    link = ">acta.pdf</a>"
    assert link not in client.get(FORM).get_data(as_text=True)
    _upload(client, pdf(), "acta.pdf")
    assert link in client.get(FORM).get_data(as_text=True)
    with counting_queries() as seen:
        assert link in client.get(FORM).get_data(as_text=True)
    assert [statement for statement in seen if "FROM evidence_files" in statement] == []
    (evidence,) = _evidence()
    _remove(client, evidence.id)
    assert link not in client.get(FORM).get_data(as_text=True)

"""Time a search of 1,700 institutions against the same list without a search.

Builds 1,700 institutions in 170 ministries (names with accents and ñ, as real ones) in a
temporary SQLite database migrated to head, then times, in the same run, as an admin:

- the app: ``GET /instituciones/?q=niñez`` (folds what was typed and looks for it in every
  institution's ``search_text``: a scan of the whole table, then the count and the page);
- the baseline: ``GET /instituciones/``, the first page of the unfiltered list (same
  template, same page size, no search).

Prints both medians, their ratio and PASS/FAIL against the target (≤ 1.5). Exits 0 unless
``--strict`` is given and the ratio is over the target.

    .venv/bin/python benchmarks/institution_search.py [--runs 5] [--strict]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.harness import arguments, migrated_app, paired_ratios, report
from pmg.core.permissions import Role
from pmg.extensions import db
from pmg.institutions.models import FunctionalCategory, Institution, MesuCommitment, Stage
from tests.conftest import BrowserLikeClient, login
from tests.factories import create_ministry, create_user

TARGET = 1.5
MINISTRIES, PER_MINISTRY = 170, 10
NAMES = (
    "DEFENSORÍA DE LA NIÑEZ",
    "SUPERINTENDENCIA DE EDUCACIÓN",
    "SERVICIO NACIONAL DE PROTECCIÓN ESPECIALIZADA",
    "COMISIÓN NACIONAL DE RIEGO",
    "INSTITUTO DE DESARROLLO AGROPECUARIO",
    "FONDO NACIONAL DE SALUD",
    "DIRECCIÓN DE PRESUPUESTOS",
    "SERVICIO DE SALUD O'HIGGINS",
    "SUBSECRETARÍA DE LA NIÑEZ",
    "AGENCIA DE CALIDAD DE LA EDUCACIÓN",
)


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    with migrated_app({"PMG_PASSWORD_METHOD": "pbkdf2:sha256:1000"}) as app:
        for number in range(MINISTRIES):
            ministry = create_ministry(f"MINISTERIO {number:03d}")
            db.session.add_all(
                Institution(
                    code=f"{number:03d}{index}",
                    name=f"{name} {number}",
                    ministry=ministry,
                    stage=Stage.STAGE_3,
                    mesu=MesuCommitment.NO,
                    category=FunctionalCategory.GENERAL_SERVICES,
                )
                for index, name in enumerate(NAMES[:PER_MINISTRY])
            )
        admin = create_user(Role.ADMIN, email="admin@servicio.gob.cl")
        db.session.commit()
        app.test_client_class = BrowserLikeClient
        client = app.test_client()
        assert login(client, admin.email).status_code == 302

        def get(path: str) -> None:
            response = client.get(path)
            assert response.status_code == 200, response.status_code

        found = client.get("/instituciones/?q=niñez").get_data(as_text=True)
        assert "340 resultados" in found, "the search should find 2 institutions a ministry"
        timings = paired_ratios(
            lambda: get("/instituciones/?q=niñez"), lambda: get("/instituciones/"), options.runs
        )
    return report(
        [
            f"institutions: {MINISTRIES * PER_MINISTRY}, found by the search: 340",
            f"search page median: {timings.app_median * 1000:.1f} ms",
            f"unfiltered page median: {timings.baseline_median * 1000:.1f} ms",
        ],
        "search ÷ unfiltered",
        timings.median_ratio,
        TARGET,
        strict=options.strict,
    )


if __name__ == "__main__":
    sys.exit(main())

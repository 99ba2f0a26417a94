"""Time the API's consolidated sheets on a whole cycle of 166 institutions.

Builds the cycle of :mod:`benchmarks.export_consolidated` (the real catalog, four years of
history, every institution's diagnostic and most plans, reviewed in every way) on a new
SQLite database, or on PostgreSQL when ``DATABASE_URL`` is set (**its public schema is
dropped and rebuilt**), then, with a DIPRES token through the test client, ``--runs`` times
each (the median printed):

- cold: a page of ``tramites`` (the longest sheet) with nothing kept, as the first request
  after any change to the data is (the sheets are built: queries and tables);
- warm: another page of it, the sheets kept for this state of the data;
- the same page with its ``If-None-Match``: 304, from the data stamp alone;
- the whole ``tramites`` sheet as CSV, warm;
- the workbook written by ``write_consolidated``, for comparison with the cold request.

    .venv/bin/python benchmarks/api_sheets.py [--runs 5]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.export_consolidated import build
from benchmarks.harness import arguments, environment_database, migrated_app, seconds
from pmg.api.operations import issue_token
from pmg.auth import operations as auth
from pmg.core.permissions import Role
from pmg.cycles.queries import chile_today
from pmg.exports.workbook import write_consolidated
from pmg.extensions import cache, db


def _median_ms(action: Callable[[], object], runs: int) -> float:
    return statistics.median(seconds(action) for _ in range(runs)) * 1000


def main() -> int:
    options = arguments(__doc__.splitlines()[0])
    with (
        migrated_app(database=environment_database()) as app,
        tempfile.TemporaryDirectory() as work,
    ):
        cycle = build(1, chile_today())
        dipres = auth.create_user(
            email="dipres@dipres.gob.cl", name="Ana DIPRES", role=Role.DIPRES, password=None
        )
        dipres.active = True  # as once its password is set
        secret = issue_token(dipres, "Benchmark", 30, actor=None).secret
        db.session.commit()
        client = app.test_client()
        headers = {"Authorization": f"Bearer {secret}"}
        base = f"/api/v1/cycles/{cycle.year}/sheets/tramites"

        def get(path: str, status: int = 200, **more: str) -> str:
            response = client.get(path, headers={**headers, **more})
            assert response.status_code == status, response.get_data(as_text=True)
            return response.headers["ETag"]

        def cold() -> None:
            cache.clear()
            get(f"{base}?per_page=100")

        get(f"{base}?per_page=100")  # warm-up
        runs = options.runs
        cold_ms = _median_ms(cold, runs)
        etag = get(f"{base}?page=2&per_page=100")
        warm_ms = _median_ms(lambda: get(f"{base}?page=2&per_page=100"), runs)
        unchanged_ms = _median_ms(
            lambda: get(f"{base}?page=2&per_page=100", 304, **{"If-None-Match": etag}), runs
        )
        csv_ms = _median_ms(lambda: get(f"{base}.csv"), runs)
        body = client.get(f"/api/v1/cycles/{cycle.year}/sheets", headers=headers).json
        rows = {item["name"]: item["rows"] for item in body["items"]}
        workbook_ms = _median_ms(
            lambda: write_consolidated(cycle, Path(work) / "consolidado.xlsx"), runs
        )
    print(f"sheets: {rows}")
    print(f"a page of tramites, cold (sheets built), median of {runs}: {cold_ms:.0f} ms")
    print(f"a page of tramites, warm (sheets kept), median of {runs}: {warm_ms:.0f} ms")
    print(f"the same page, If-None-Match → 304, median of {runs}: {unchanged_ms:.0f} ms")
    print(f"tramites.csv ({rows['tramites']} rows), warm, median of {runs}: {csv_ms:.0f} ms")
    print(f"the workbook written (write_consolidated), median of {runs}: {workbook_ms:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())

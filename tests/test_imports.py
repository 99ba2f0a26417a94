"""Importing the application's modules does nothing but define them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Imports every module of pmg in a fresh interpreter, then says which mappers got configured.
PROBE = """
import importlib, pkgutil
import pmg
for module in pkgutil.walk_packages(pmg.__path__, "pmg."):
    importlib.import_module(module.name)
from pmg.extensions import db
print(sorted(m.class_.__name__ for m in db.Model.registry.mappers if m.configured))
"""


def test_no_module_configures_the_mappers_when_imported() -> None:
    """A loader option or a query built at import configures every mapper then; a script
    that imports that module before the models its relationships name fails (as a benchmark
    did). Mappers are configured at the first query, once everything is imported."""
    found = subprocess.run(  # noqa: S603  (this interpreter and a fixed script; no shell)
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == "[]"

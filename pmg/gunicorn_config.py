"""How gunicorn serves the application: in production and in the demo alike.

    .venv/bin/gunicorn -c python:pmg.gunicorn_config app:app

- ``bind``: ``PMG_BIND`` (``127.0.0.1:8000``); behind the HTTPS proxy (README, «Producción»).
- ``workers``: ``PMG_WORKERS``, by default two per core plus one. Sync workers
  (``PMG_WORKER_CLASS``; ``gthread`` with ``PMG_THREADS`` threads each is the other one
  measured): each request holds one worker from start to end, which the proxy in front
  makes safe from slow clients; ``benchmarks/page_mix.py`` measures them under load.
- ``preload_app``: the master imports the application once and the workers fork from it,
  sharing its memory; before they fork, WeasyPrint is imported and the print fonts decoded
  (:func:`pmg.exports.documents.pdf.warm_up`), so that no worker's first PDF waits for them.
  Then every object the master holds is frozen (:func:`gc.freeze`, as Python's documentation
  advises before forking): a worker's full garbage collections walk only what it made
  itself, not the whole application (in ``benchmarks/export_consolidated.py`` at 166
  institutions, the full collection a workbook's building sets off took some 130 ms with
  nothing frozen, 5 to 8 frozen), and the collector's marks do not copy on write the
  memory the workers share.
- ``timeout``: a worker silent for ``PMG_WORKER_TIMEOUT`` seconds (120: a cycle's
  consolidated workbook or report takes a few) is replaced.
- ``accesslog``: one line per request on standard output, gunicorn's usual line followed by
  the time taken in microseconds (``%(D)s``); errors too.
"""

from __future__ import annotations

import gc
import os
from typing import Any

bind = os.environ.get("PMG_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("PMG_WORKERS") or 2 * (os.cpu_count() or 1) + 1)
worker_class = os.environ.get("PMG_WORKER_CLASS") or "sync"
threads = int(os.environ.get("PMG_THREADS") or 1)
preload_app = True
timeout = int(os.environ.get("PMG_WORKER_TIMEOUT") or 120)
graceful_timeout = 30
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'


def when_ready(server: Any) -> None:
    """In the master, after the application loaded and before any worker forks."""
    from pmg.exports.documents.pdf import warm_up

    application = server.app.wsgi()  # loaded already (preload_app): the Flask app
    warm_up(application.static_folder or "")
    gc.freeze()

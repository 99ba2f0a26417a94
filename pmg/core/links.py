"""A link as data: plain functions decide where a page links to, the template builds the URL.

Rules (what the next step is, what a count counts) stay testable without a request: they
return a :class:`Link`, and the template writes ``url_for(link.endpoint, **link.values)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Link:
    text: str
    endpoint: str
    values: Mapping[str, Any] = field(default_factory=dict)

"""The one citation record: a retrieval hit, an answer's source, or a checker finding's evidence."""

from __future__ import annotations

import re

from pydantic import BaseModel

_CLAUSE_NUMBER = re.compile(r"^(?:\d+|[A-Z]|[IVXL]+)(?:\.\d+)*$")


class Citation(BaseModel):
    """A clause of an indexed document (or a catalog entry, which has no clause), with what is needed
    to quote it and to cite it. ``score`` is the retrieval score; exact look-ups use 1.0."""

    doc_id: str = ""
    rec_id: str | None = None
    clause: str | None = None
    heading: str | None = None
    page: int | None = None
    text: str = ""
    score: float = 1.0
    path: str | None = None

    def render(self) -> str:
        """How people cite it: "[ITU-T Y.3507] clause 3.2.1", with ", p. 12" when the page is known."""
        source = f"[{self.rec_id or self.doc_id}]"
        if not self.clause:
            return source
        label = f"clause {self.clause}" if _CLAUSE_NUMBER.match(self.clause) else self.clause
        page = f", p. {self.page}" if self.page is not None else ""
        return f"{source} {label}{page}"

"""What every browser session of one server shares: the settings, the library, the retriever, the model.

The views are thin: they turn component values into calls on these objects (the same library,
retrieval, checking and answering functions the CLI calls) and results back into component values.
Writes to the library are serialised by one lock; everything else may run side by side.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import uuid
from pathlib import Path

from copilot.assistant import Assistant
from copilot.citation import Citation
from copilot.drafting.drafter import Drafter
from copilot.llm import ChatModel, LLMUnavailable, ModelHost, ModelStatus
from copilot.retrieval import HybridRetriever
from copilot.retrieval.translation import QueryTranslator
from ingest.catalog import ReferenceCatalog
from ingest.library import Library
from ingest.models import ClauseText
from rapporteur.provenance import AddedBy
from rapporteur.settings import Settings

log = logging.getLogger(__name__)

PREPARE_WAIT_S = 60.0
"""How long closing waits for search to be prepared (~8 s on the whole corpus after an ingest)."""


class Workspace:
    """One server's shared state; per-session state lives in the browser session (``gr.State``)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.library = Library(settings)
        self._host = ModelHost(settings)
        self._model_lock = threading.Lock()
        self._model_error: str | None = None
        self.translator = QueryTranslator.from_settings(settings, self._started_model)
        self.retriever = HybridRetriever(
            self.library, ReferenceCatalog.from_settings(settings), translator=self.translator
        )
        self.write_lock = threading.Lock()
        self._preparing: threading.Thread | None = None
        self.scratch = Path(tempfile.mkdtemp(prefix="rapporteur-ui-"))

    def prepare_search(self) -> threading.Thread:
        """Build or load in the background what a first search waits for (the BM25 index, the defined
        terms' vectors, the vector index), so that a server's first asker does not (:meth:`close`
        waits for it)."""
        self._preparing = threading.Thread(
            target=self._prepare_search, name="rapporteur-prepare-search", daemon=True
        )
        self._preparing.start()
        return self._preparing

    def _prepare_search(self) -> None:
        try:
            self.retriever.prepare()
        except Exception as exc:  # closed meanwhile, an unreadable index: the first search meets it again
            log.warning("search not prepared in the background: %s", exc)

    @property
    def uploads(self) -> Path:
        """Where documents uploaded into the library are kept (they stay indexed, so they must stay)."""
        return self.settings.index / "uploads"

    @property
    def added_by(self) -> AddedBy:
        """Who added each document through the workspace."""
        return AddedBy(self.settings.index / "added-by.json")

    def request_dir(self) -> Path:
        """A fresh folder for one request's uploads and downloads, so sessions never share files."""
        folder = self.scratch / uuid.uuid4().hex
        folder.mkdir(parents=True)
        return folder

    # -- the model -------------------------------------------------------------------------------------

    def model(self) -> tuple[ChatModel | None, str | None]:
        """The chat model, or None and why; started once (the first asker waits), a failure remembered."""
        with self._model_lock:
            if self._model_error is not None:
                return None, self._model_error
            try:
                return self._host.model(), None
            except LLMUnavailable as exc:
                self._model_error = f"No language model: {exc}"
                return None, self._model_error

    def _started_model(self) -> ChatModel:
        """The model for translating a question (started as :meth:`model` starts it); LLMUnavailable
        when there is none, so the question is searched as asked."""
        model, why = self.model()
        if model is None:
            raise LLMUnavailable(why or "no language model")
        return model

    def assistant(self) -> Assistant:
        """An assistant over the shared retriever and model (retrieval-only answers when there is none);
        a question in another language is also searched in English, as the CLI does."""
        model, why = self.model()
        return Assistant(self.retriever, model, self.settings, unavailable=why, translator=self.translator)

    def drafter(self) -> Drafter:
        """A drafter over the shared retriever, catalog and model (exact parts only when there is none)."""
        model, why = self.model()
        return Drafter(self.retriever, self.retriever.catalog, model, self.settings, unavailable=why)

    def model_status(self) -> ModelStatus:
        """The endpoint's status now; a remembered start failure is forgotten, so the next ask retries."""
        with self._model_lock:
            self._model_error = None
        return self._host.status()

    # -- citations -------------------------------------------------------------------------------------

    def cited_clause(self, citation: Citation) -> ClauseText:
        """The full text of a cited clause; the citation's own text when the clause cannot be looked up
        (a numbered definition inside a clause, a document removed since), with no heading of its own."""
        doc = self.library.resolve(citation.doc_id) if citation.doc_id else None
        found = self.library.clause_text(doc, citation.clause) if doc and citation.clause else None
        if found is not None:
            return found
        return ClauseText(
            doc_id=citation.doc_id,
            rec_id=citation.rec_id,
            clause=citation.clause or "",
            heading="",
            page_start=citation.page,
            page_end=citation.page,
            text=citation.text,
        )

    def close(self) -> None:
        if self._preparing is not None:  # not while it reads the index: it would reopen what closes
            self._preparing.join(timeout=PREPARE_WAIT_S)
        self._host.close()
        self.library.close()
        shutil.rmtree(self.scratch, ignore_errors=True)

"""The model's part in the consistency check: naming which sentence of a cited Recommendation a
draft's sentence restates, where too few words are shared for the code to tell. The model chooses;
the values it would compare are still aligned and compared by :mod:`copilot.checker.restatements`.
"""

from __future__ import annotations

import logging
import re

from copilot.llm import ChatModel, LLMError
from copilot.prompts import PromptTemplate

logger = logging.getLogger(__name__)


class ModelChooser:
    """A :class:`~copilot.checker.restatements.CandidateChooser` asking a chat model; an unreachable
    model or an answer without a usable number is no choice (the sentence stays "not judged")."""

    def __init__(self, model: ChatModel, temperature: float = 0.0) -> None:
        self.model = model
        self.temperature = temperature
        self.prompt = PromptTemplate.load("consistency_choose")
        self._answers: dict[tuple[str, tuple[str, ...]], int | None] = {}

    def choose(self, sentence: str, candidates: list[str]) -> int | None:
        key = (sentence, tuple(candidates))
        if key not in self._answers:  # a draft and its seeded copies share most sentences
            self._answers[key] = self._ask(sentence, candidates)
        return self._answers[key]

    def _ask(self, sentence: str, candidates: list[str]) -> int | None:
        numbered = "\n".join(f"{i}. <sentence>{text}</sentence>" for i, text in enumerate(candidates, 1))
        messages = self.prompt.render(sentence=sentence, candidates=numbered)
        try:
            answer = self.model.generate(
                messages, max_tokens=self.prompt.token_budget(8), temperature=self.temperature
            ).text()
        except LLMError as exc:
            logger.warning("consistency: no model choice (%s)", exc)
            return None
        m = re.search(r"\d+", answer)
        number = int(m.group(0)) if m else 0
        logger.info("consistency: the model chose %s of %d (%r)", number or "none", len(candidates), answer)
        return number - 1 if 1 <= number <= len(candidates) else None

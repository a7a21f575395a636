"""Prompts are versioned template files in ``prompts/`` (one per task), never strings in code.

A file is TOML: ``name``, ``version``, ``rules`` (each with the ``text`` the model sees and the ``why``
that only people read), and ``system``/``user`` templates rendered by LangChain's chat prompt template.
The ``{rules}`` placeholder in ``system`` receives the rule texts as a list; rule texts may use the
same placeholders as the templates. A template with ``example_user``/``example_assistant`` turns
takes worked examples (few-shot): each example's values fill one user/assistant pair placed before
the final user turn — small models imitate a shown clause far more reliably than a described one.
``max_tokens`` caps the answer's length for a task whose output is short by nature (a Scope), which
also stops a small model's repetition loop early.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel

from copilot.llm import Message

# Loaded as package data, so that an installed wheel finds them wherever it runs from.
PROMPTS_DIR: Traversable = files("prompts")
_ROLES = {"human": "user", "ai": "assistant", "system": "system"}


class PromptRule(BaseModel):
    text: str
    why: str


class PromptTemplate(BaseModel):
    name: str
    version: int
    description: str = ""
    rules: list[PromptRule] = []
    system: str
    user: str
    example_user: str = ""
    example_assistant: str = ""
    max_tokens: int | None = None

    @classmethod
    def load(cls, name: str, directory: Traversable = PROMPTS_DIR) -> PromptTemplate:
        path = directory / f"{name}.toml"
        with path.open("rb") as handle:
            return cls.model_validate(tomllib.load(handle))

    @property
    def tag(self) -> str:
        """Recorded with every answer and eval run, so results name the prompt that made them."""
        return f"{self.name}@v{self.version}"

    def token_budget(self, limit: int) -> int:
        """The answer length to ask for: the configured limit, or this task's own cap when lower."""
        return min(limit, self.max_tokens) if self.max_tokens else limit

    def render(self, examples: Sequence[Mapping[str, str]] = (), **values: Any) -> list[Message]:
        rules = "\n".join(f"- {rule.text.format_map(values)}" for rule in self.rules)
        if examples and not (self.example_user and self.example_assistant):
            raise ValueError(f"prompt {self.tag} has no example turns to fill")
        turns: list[tuple[str, str]] = [("system", self.system)]
        shown: dict[str, str] = {}
        for i, example in enumerate(examples):
            turns += [
                ("human", _numbered(self.example_user, i)),
                ("ai", _numbered(self.example_assistant, i)),
            ]
            shown.update({f"{key}_{i}": value for key, value in example.items()})
        turns.append(("human", self.user))
        template = ChatPromptTemplate.from_messages(turns)
        return [
            Message(role=_ROLES.get(m.type, m.type), content=str(m.content))
            for m in template.format_messages(rules=rules, **values, **shown)
        ]


def _numbered(template: str, i: int) -> str:
    """``{title}`` -> ``{title_0}``: each example's values get their own names, so that text inside
    one example is never read as a placeholder."""
    return re.sub(r"\{(\w+)\}", lambda m: f"{{{m[1]}_{i}}}", template)

"""Prompts are versioned template files in ``prompts/`` (one per task), never strings in code.

A file is TOML: ``name``, ``version``, ``rules`` (each with the ``text`` the model sees and the ``why``
that only people read), and ``system``/``user`` templates rendered by LangChain's chat prompt template.
The ``{rules}`` placeholder in ``system`` receives the rule texts as a list; rule texts may use the
same placeholders as the templates.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from langchain_core.prompts import ChatPromptTemplate
from pydantic import BaseModel

from copilot.llm import Message

PROMPTS_DIR = Path(__file__).resolve().parent.parent / "prompts"
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

    @classmethod
    def load(cls, name: str, directory: Path = PROMPTS_DIR) -> PromptTemplate:
        path = directory / f"{name}.toml"
        with path.open("rb") as handle:
            return cls.model_validate(tomllib.load(handle))

    @property
    def tag(self) -> str:
        """Recorded with every answer and eval run, so results name the prompt that made them."""
        return f"{self.name}@v{self.version}"

    def render(self, **values: Any) -> list[Message]:
        rules = "\n".join(f"- {rule.text.format_map(values)}" for rule in self.rules)
        template = ChatPromptTemplate.from_messages([("system", self.system), ("human", self.user)])
        return [
            Message(role=_ROLES.get(m.type, m.type), content=str(m.content))
            for m in template.format_messages(rules=rules, **values)
        ]

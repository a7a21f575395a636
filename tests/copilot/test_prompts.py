"""Every prompt is a versioned file with a reason for each rule, and renders without leftovers."""

from __future__ import annotations

import re

import pytest

from copilot.prompts import PROMPTS_DIR, PromptTemplate

NAMES = sorted(p.name.removesuffix(".toml") for p in PROMPTS_DIR.iterdir() if p.name.endswith(".toml"))
VALUES = {
    "sources": "<source>x</source>",
    "question": "Q?",
    "topic": "T",
    "opening": "This Recommendation",
    "prefix": "REQ",
    "keywords": '"is required to"',
    "existing": "none",
    "kind": "scope",
    "terms": "",
    "sentence": "S.",
    "candidates": "1. <sentence>x</sentence>",
}


def test_the_prompt_folder_holds_every_task() -> None:
    assert {"answer", "draft_scope", "draft_summary", "draft_requirements", "draft_terms"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_prompt_file_is_versioned_and_explains_each_rule(name: str) -> None:
    prompt = PromptTemplate.load(name)
    assert prompt.name == name and prompt.version >= 1
    assert prompt.tag == f"{name}@v{prompt.version}"
    assert prompt.rules and all(len(rule.why.split()) >= 5 for rule in prompt.rules)


@pytest.mark.parametrize("name", NAMES)
def test_prompt_renders_system_then_user_with_every_rule(name: str) -> None:
    prompt = PromptTemplate.load(name)
    messages = prompt.render(**VALUES)
    assert [m.role for m in messages] == ["system", "user"]
    assert messages[0].content.count("\n- ") == len(prompt.rules)
    assert not re.search(r"\{[a-z_]+\}", messages[0].content + messages[1].content)


def test_values_are_inserted_verbatim_even_with_braces() -> None:
    messages = PromptTemplate.load("answer").render(sources="<source>{not a field}</source>", question="Q?")
    assert "{not a field}" in messages[1].content


def test_worked_examples_become_earlier_turns_verbatim() -> None:
    prompt = PromptTemplate.load("draft_scope")
    shown = "This Recommendation specifies {a}."
    examples = [{"title": "Title A", "text": shown}, {"title": "B", "text": "Y."}]
    messages = prompt.render(examples=examples, topic="New topic")
    assert [m.role for m in messages] == ["system", "user", "assistant", "user", "assistant", "user"]
    assert messages[1].content == "Topic: Title A" and messages[2].content == shown
    assert messages[-1].content == "Topic: New topic"
    assert prompt.token_budget(384) == prompt.max_tokens and prompt.token_budget(64) == 64


def test_a_prompt_without_example_turns_refuses_examples() -> None:
    with pytest.raises(ValueError, match="no example turns"):
        PromptTemplate.load("answer").render(examples=[{"title": "t", "text": "x"}], sources="", question="Q")

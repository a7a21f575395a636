"""Untrusted text inside the Markdown the workspace renders.

Library text, model answers, file names and endpoint messages are data: a document holding
``![q](http://host/p.png?leak=x)`` or ``<img src=...>`` must show those characters, never make the
browser fetch anything. Only the Markdown the views write themselves (emphasis, headings, tables) is
rendered; everything else goes through :func:`literal` first. (The chat renders HTML, not Markdown:
it escapes with :func:`html.escape`, see :mod:`ui.views.ask`.)
"""

from __future__ import annotations

import html
import re
import string

import gradio as gr

_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")


def literal(text: str) -> str:
    """``text`` as Markdown that renders exactly as written: every ASCII punctuation character is
    backslash-escaped (CommonMark allows it for all of them), so no link, image, HTML tag, entity,
    emphasis, list, table cell or autolink can start."""
    return _PUNCTUATION.sub(r"\\\1", text)


def error(message: str) -> gr.Error:
    """An error for the page, whose message Gradio shows as HTML: escaped, since it may quote a file's
    content or a caller's input."""
    return gr.Error(html.escape(message, quote=False))

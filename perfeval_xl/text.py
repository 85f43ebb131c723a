"""HTML fragments (as the published forms' goal texts carry them) to plain text with paragraphs.

``<p>``, ``<br>``, ``<li>``, ``<div>``, ``<tr>`` and headings become line breaks, other tags disappear,
entities are unescaped, runs of spaces inside a line collapse to one and blank lines are dropped.
Text without ``<`` or ``&`` is only trimmed, so plain cells cost next to nothing. Standard library only.
"""

from __future__ import annotations

import re

# A tag that ends or starts a block: becomes a line break.
_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|br|li|ol|ul|div|tr|table|h[1-6]|blockquote|section|article|pre)\b[^>]*>",
    re.IGNORECASE,
)
# Any other tag-like thing (a letter, "/" or "!" right after "<"), comments included.
_OTHER_TAG = re.compile(r"<!--.*?-->|<\s*[/!?]?[A-Za-z][^<>]*>", re.DOTALL)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u3000]+")


def html_to_text(value: str) -> str:
    """Plain text of an HTML fragment, one paragraph per line, no blank lines.

    >>> html_to_text("<p>一是&nbsp;完成</p><p>二是<br/>提升</p>")
    '一是 完成\\n二是\\n提升'
    >>> html_to_text("目标值 <5%")
    '目标值 <5%'
    """
    if not value:
        return ""
    text = value
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _OTHER_TAG.sub("", text)
    if "&" in text:
        import html  # (and its table of entities: ~1 ms to import, for the few texts that need it)

        text = html.unescape(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)

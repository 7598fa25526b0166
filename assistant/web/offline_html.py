"""Keep the chat page offline: drop Chainlit's links to outside hosts (Google Fonts, KaTeX CDN)."""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.web.security import note_inline_scripts

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.IGNORECASE | re.DOTALL)


def strip_external_links(html: str) -> str:
    """Remove <link> tags (stylesheets, preconnects) that point at another host; the UI falls back to local fonts."""
    return _EXTERNAL_LINK.sub("", html)


def offline_template(original: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap chainlit.server.get_html_template: every served page is stripped, its inline scripts noted for the CSP."""

    def template(root_path: str) -> str:
        return note_inline_scripts(strip_external_links(original(root_path)))

    return template

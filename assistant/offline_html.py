"""Keep the chat page offline: drop Chainlit's links to outside hosts (Google Fonts, KaTeX CDN)."""

from __future__ import annotations

import re
from collections.abc import Callable

_EXTERNAL_LINK = re.compile(r"<link\b[^>]*\bhref=\"https?://[^\"]*\"[^>]*/?>", re.IGNORECASE | re.DOTALL)


def strip_external_links(html: str) -> str:
    """Remove <link> tags (stylesheets, preconnects) that point at another host; the UI falls back to local fonts."""
    return _EXTERNAL_LINK.sub("", html)


def offline_template(original: Callable[[str], str]) -> Callable[[str], str]:
    """Wrap chainlit.server.get_html_template so every served page is stripped."""

    def template(root_path: str) -> str:
        return strip_external_links(original(root_path))

    return template

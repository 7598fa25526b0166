"""Issue #7 in the German UI: the assistant's own clarifying question leads somewhere, follow-ups keep their frame."""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from playwright.sync_api import expect

from .conftest import Server
from .test_browser import ANSWERS, HANDOFF, open_chat, reopen_and_ask, send


@pytest.mark.browser
def test_a_german_conversation_with_follow_ups(server: Server, new_chat) -> None:  # type: ignore[no-untyped-def]
    chat = new_chat("de-DE", server.url)
    page = open_chat(chat)
    answers = page.locator(ANSWERS)

    def ask(text: str, count: int) -> None:
        send(page, text)
        expect(answers).to_have_count(count, timeout=30_000)

    ask("Können wir LinkedIn-Anzeigen mit Co-op bezahlen?", 1)
    expect(answers.nth(0)).to_contain_text("förderfähig · Demand Generation")
    # Chainlit moves the page to /thread/<id> once the thread is stored; a message sent in that instant is lost
    # (seen once on the PostgreSQL server under load). A user sees the address change before typing on.
    expect(page).to_have_url(re.compile(r"/thread/[0-9a-f-]{36}$"), timeout=30_000)
    ask("Und Xing?", 2)
    expect(answers.nth(1)).to_contain_text("förderfähig · Demand Generation")
    expect(answers.nth(1)).not_to_contain_text("unklar")
    ask("Was ist mit einem Workshop?", 3)
    expect(answers.nth(2)).to_contain_text("Kunden oder für Ihre eigenen Mitarbeitenden")
    ask("Für unsere Kunden.", 4)
    expect(answers.nth(3)).to_contain_text("Market Development")
    expect(answers.nth(3)).not_to_contain_text("keine Aktivität erkennen")
    ask("Danke!", 5)
    expect(answers.nth(4)).to_contain_text("Gern geschehen")
    # the hand-off e-mail of the workshop question summarises the conversation's findings
    answers.nth(2).get_by_role("button", name=HANDOFF["de"]).click()
    expect(answers).to_have_count(6, timeout=30_000)
    link = answers.nth(5).locator("a[href*='subject=']").first.get_attribute("href") or ""
    body = unquote(link)
    assert "LinkedIn-Anzeigen" in body and "Xing" in body and "Workshop" in body
    # reopened from the history, the conversation goes on where it was (state rebuilt from the stored thread)
    answer = reopen_and_ask(page, server.url, "Können wir LinkedIn-Anzeigen", "Gern geschehen",
                            "und dasselbe für unsere Techniker?")
    expect(answer).to_contain_text("Partner Skilling")
    expect(answer).not_to_contain_text("keine Aktivität erkennen")
    # its hand-off e-mail still summarises the whole conversation, not only the turn asked after reopening
    shown = page.locator(ANSWERS)
    count = shown.count()
    answer.get_by_role("button", name=HANDOFF["de"]).click()
    expect(shown).to_have_count(count + 1, timeout=30_000)
    body = unquote(shown.nth(count).locator("a[href*='subject=']").first.get_attribute("href") or "")
    assert "LinkedIn-Anzeigen" in body and "Workshop" in body and "Techniker" in body, body

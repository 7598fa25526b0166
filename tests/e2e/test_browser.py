"""End-to-end: the partner chat, sources, hand-off, feedback across a restart, staff drafting, hostile input.

Run: .venv/bin/pytest -q tests/e2e -x   (needs /usr/bin/chromium; no network beyond 127.0.0.1)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import Locator, Page, expect

from .conftest import (
    ARTIFACTS,
    STAFF_PASSWORD,
    STAFF_USER,
    Chat,
    Server,
    query_db,
    start_server,
)

PHONE = "+49 30 76758732"
EMAIL = "support@partnercare.de"
Q_DE = "Können wir LinkedIn-Anzeigen und eine Incentive-Reise für unsere Top-Verkäufer mit Co-op bezahlen?"
Q_EN = "Can we pay for a customer workshop on Azure with co-op?"
Q_STAFF = ("Hallo, können wir unseren Messestand auf der it-sa und Gehälter für unser Vertriebsteam "
           "über Co-op abrechnen?")
Q_FEEDBACK = "Können wir einen Messestand auf der it-sa mit Co-op bezahlen?"
HOSTILE = ('<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned=2"> '
           "[click me](http://evil.example/) Messestand?")
HANDOFF = {"de": "Partner Care kontaktieren", "en": "Contact Partner Care"}
ANSWERS = '[data-step-type="assistant_message"]'
QUESTIONS = '[data-step-type="user_message"]'


# -- helpers ------------------------------------------------------------------------------------------------
def poll(probe: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    """Call probe until it returns something truthy; fail with `what` after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (last value: {value!r})")
        time.sleep(interval)


def open_chat(chat: Chat, path: str = "/") -> Page:
    page = chat.page
    page.goto(chat.base_url + path)
    box = page.locator("#chat-input")
    expect(box).to_be_visible()
    expect(box).to_be_enabled()
    return page


def user_message(page: Page, text: str) -> Locator:
    return page.locator(QUESTIONS).filter(has_text=text[:40])


def reopen_and_ask(page: Page, base_url: str, title: str, shown: str, follow_up: str) -> Any:
    """Open `base_url`, reopen the thread titled `title` from the history (one of its answers shows `shown`), send
    `follow_up` and return the locator of its answer."""
    page.goto(base_url + "/")
    history = page.locator("#thread-history")
    expect(history).to_contain_text(title, timeout=20_000)
    history.get_by_text(title).first.click()
    reopened = page.locator(ANSWERS)
    expect(reopened.filter(has_text=shown)).to_have_count(1, timeout=20_000)
    before = reopened.count()
    send(page, follow_up)
    expect(reopened).to_have_count(before + 1, timeout=30_000)
    return reopened.nth(before)


def send(page: Page, text: str) -> None:
    """Type a message and press Enter, as a user would.

    Chainlit sometimes ignores an Enter pressed in the instant its socket session comes up (the text stays
    in the box and nothing is sent; a user would press Enter again). The box is cleared when, and only when,
    the message is sent, so pressing Enter again while the text is still there cannot send it twice. A page that
    is still moving (the guest login finishing on a busy machine) can clear the box after it was filled: then the
    text is filled in again, as a user would type it again.
    """
    box = page.locator("#chat-input")
    deadline = time.monotonic() + 20
    while True:
        box.fill(text)
        try:
            expect(page.locator("#chat-submit")).to_be_enabled(timeout=2_000)
            break
        except AssertionError:
            if time.monotonic() > deadline:
                raise
    deadline = time.monotonic() + 20
    while True:
        box.press("Enter")
        try:
            expect(box).to_have_value("", timeout=2_000)
            break
        except AssertionError:
            if user_message(page, text).count() or time.monotonic() > deadline:
                break
    expect(box).to_have_value("")
    expect(user_message(page, text)).to_be_visible()


def answer_with_handoff(page: Page, language: str) -> Locator:
    """The latest assistant answer, once it is complete (the hand-off action arrives after the streamed text)."""
    answer = page.locator(ANSWERS).filter(has=page.get_by_role("button", name=HANDOFF[language])).last
    expect(answer).to_be_visible(timeout=30_000)
    return answer


def finding(answer: Locator, activity: str | re.Pattern[str]) -> Locator:
    """The numbered list item of one activity in the answer."""
    item = answer.locator("li").filter(has_text=activity)
    expect(item).to_have_count(1)
    return item


def open_side_element(page: Page, answer: Locator, name: str) -> Locator:
    """Click the small element button `name` in the answer; returns the side panel's content."""
    answer.locator("a", has_text=name).first.click()
    expect(page.locator("#side-view-title")).to_contain_text(name)
    return page.locator("#side-view-content")


def screenshot(page: Page, name: str) -> None:
    """Full-page screenshot; the chat scrolls inside the page, so a tall window keeps the whole answer in view."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def step_id(message: Locator) -> str:
    node_id = message.locator('[id^="step-"]').first.get_attribute("id") or ""
    assert node_id.startswith("step-"), f"no step id in the message: {node_id!r}"
    return node_id.removeprefix("step-")


def feedback_rows(db: Path, thread_id: str) -> list[tuple[Any, ...]]:
    return query_db(db, 'SELECT "id", "forId", "threadId", "value", "comment" FROM feedbacks WHERE "threadId" = ?',
                    (thread_id,))


def parent_step(db: Path, step: str) -> str | None:
    rows = query_db(db, 'SELECT "parentId" FROM steps WHERE "id" = ?', (step,))
    return rows[0][0] if rows else None


def click_starter(page: Page, label: str, message: str) -> None:
    """Click a starter button; like Enter, a click in the instant the session comes up can be dropped."""
    starter = page.get_by_role("button", name=label)
    deadline = time.monotonic() + 20
    while True:
        starter.click()
        try:
            expect(user_message(page, message)).to_be_visible(timeout=2_000)
            return
        except AssertionError:
            if time.monotonic() > deadline or not starter.is_visible():
                break
    expect(user_message(page, message)).to_be_visible()


# -- 1. German answer, sources -------------------------------------------------------------------------------
@pytest.mark.browser
def test_german_answer_shows_both_findings_quotes_contact_and_source(server: Server, new_chat) -> None:
    chat = new_chat("de-DE", server.url)
    page = open_chat(chat)
    send(page, Q_DE)
    answer = answer_with_handoff(page, "de")

    ads = finding(answer, "LinkedIn-Anzeigen")
    expect(ads).to_contain_text("förderfähig · Demand Generation")
    expect(ads).not_to_contain_text("nicht förderfähig")
    expect(ads).to_contain_text("„Digitale Werbung“")
    trip = finding(answer, "Incentive-Reise")
    expect(trip).to_contain_text("nicht förderfähig")
    expect(trip).to_contain_text("„Interne Seller-Award-Reisen sind nicht Co-op-berechtigt.“")
    expect(answer).to_contain_text(PHONE)
    expect(answer).to_contain_text(EMAIL)
    screenshot(page, "answer-de.png")

    panel = open_side_element(page, answer, "Quelle 1: 1. Demand Generation")
    expect(panel).to_contain_text("Printanzeigen")
    expect(panel).to_contain_text("Digitale Werbung")
    # only the clicked passage, not the others of the answer (Quelle 2 holds the seller-award exclusion)
    expect(panel).not_to_contain_text("Interne Seller-Award-Reisen")
    chat.assert_only_local_requests()


# -- 2. English answer and starters --------------------------------------------------------------------------
@pytest.mark.browser
def test_english_answer_and_english_starters(server: Server, new_chat) -> None:
    chat = new_chat("en-US", server.url)
    page = open_chat(chat)
    expect(page.get_by_role("button", name="Customer workshop")).to_be_visible()
    expect(page.get_by_role("button", name="LinkedIn ads and an incentive trip")).to_be_visible()
    expect(page.get_by_text("Kundenworkshop zu Copilot")).to_have_count(0)

    send(page, Q_EN)
    answer = answer_with_handoff(page, "en")
    workshop = finding(answer, re.compile("workshop", re.IGNORECASE))
    expect(workshop).to_contain_text("eligible · Market Development")
    expect(workshop).not_to_contain_text("not eligible")
    expect(workshop).to_contain_text("„Kundenseminare und Bootcamps“")
    expect(workshop).to_contain_text("Customer seminars and bootcamps")
    screenshot(page, "answer-en.png")

    panel = open_side_element(page, answer, "Source 1: 2. Market Development")
    expect(panel).to_contain_text("Kundenseminare und Bootcamps")  # the authoritative German passage
    expect(panel).to_contain_text("English rendering (translation, not authoritative)")
    chat.assert_only_local_requests()


# -- 3. Hand-off ---------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_handoff_posts_contact_details_and_prefilled_mailto(server: Server, new_chat) -> None:
    chat = new_chat("de-DE", server.url)
    page = open_chat(chat)
    send(page, Q_DE)
    answer = answer_with_handoff(page, "de")
    expect(finding(answer, "Incentive-Reise")).to_contain_text("nicht förderfähig")
    before = page.locator(ANSWERS).count()

    answer.get_by_role("button", name=HANDOFF["de"]).click()
    expect(page.locator(ANSWERS)).to_have_count(before + 1)
    handoff = page.locator(ANSWERS).nth(before)
    expect(handoff).to_contain_text(PHONE)
    expect(handoff).to_contain_text(EMAIL)
    expect(handoff).to_contain_text("Incentive-Reise")  # the open item is listed ...
    expect(handoff).not_to_contain_text("LinkedIn-Anzeigen")  # ... the eligible one is not

    link = handoff.locator('a[href^="mailto:support@partnercare.de?subject="]')
    expect(link).to_have_count(1)
    href = link.get_attribute("href") or ""
    query = parse_qs(urlparse(href).query)
    assert query["subject"] == ["Co-op-Anfrage: Bitte um Prüfung"], href
    body = query["body"][0]
    assert Q_DE in body, body
    assert "Incentive-Reise für unsere Top-Verkäufer: nicht förderfähig" in body, body  # words, not codes
    chat.assert_only_local_requests()


# -- 5. Staff ------------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_staff_login_drafts_a_reply_and_wrong_password_is_refused(server: Server, new_chat) -> None:
    chat = new_chat("de-DE", server.url)
    page = chat.page
    page.goto(server.url + "/login?staff")
    expect(page.locator("#email")).to_be_visible()

    page.fill("#email", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD + "-falsch")
    with page.expect_response(lambda r: r.request.method == "POST" and urlparse(r.url).path == "/login") as refused:
        page.press("#password", "Enter")
    assert refused.value.status == 401
    expect(page.get_by_text("Anmeldung fehlgeschlagen")).to_be_visible()
    expect(page.locator("#password")).to_be_visible()
    expect(page.locator("#chat-input")).to_have_count(0)
    assert "access_token" not in {c["name"] for c in chat.context.cookies()}

    page.fill("#email", STAFF_USER)
    page.fill("#password", STAFF_PASSWORD)
    with page.expect_response(lambda r: r.request.method == "POST" and urlparse(r.url).path == "/login") as accepted:
        page.press("#password", "Enter")
    assert accepted.value.status == 200
    expect(page.locator("#chat-input")).to_be_enabled()
    expect(page.locator("#header")).to_contain_text("Partner Care")  # the drafting profile is selected

    send(page, Q_STAFF)
    answer = answer_with_handoff(page, "de")
    expect(answer).to_contain_text("Antwortentwurf")
    draft = answer.locator("pre")
    expect(draft).to_contain_text("Sehr geehrte Damen und Herren")
    expect(draft).to_contain_text("„Messen und Veranstaltungen“")
    expect(draft).to_contain_text("Mit freundlichen Grüßen")
    expect(draft).to_contain_text(PHONE)

    panel = open_side_element(page, answer, "Findings (JSON)")
    expect(panel).to_contain_text('"rule_id": "dg.trade-shows-events"')
    expect(panel).to_contain_text('"verdict": "eligible"')
    chat.assert_only_local_requests()


# -- 6. Hostile text -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def hostile_chat(server: Server, browser: Any) -> Iterator[Chat]:
    """One conversation with the hostile message, shared by the two checks below."""
    chat = Chat(browser, "de-DE", server.url)
    try:
        page = open_chat(chat)
        send(page, HOSTILE)
        answer_with_handoff(page, "de")
        yield chat
    finally:
        chat.close()


@pytest.mark.browser
def test_hostile_text_is_shown_as_text_and_never_run(hostile_chat: Chat) -> None:
    page = hostile_chat.page
    assert page.evaluate("window.__pwned") is None
    expect(page.locator('img[src="x"]')).to_have_count(0)
    expect(page.locator("script", has_text="__pwned")).to_have_count(0)
    expect(page.locator(QUESTIONS).get_by_text("<script>window.__pwned = 1</script>")).to_be_visible()
    # the real question in it still gets its answer
    expect(answer_with_handoff(page, "de")).to_contain_text("„Messen und Veranstaltungen“")
    assert not any("evil.example" in u for u in hostile_chat.requests)
    hostile_chat.assert_only_local_requests()


@pytest.mark.browser
def test_hostile_text_gets_no_link_to_its_url(hostile_chat: Chat) -> None:
    expect(hostile_chat.page.locator('a[href^="http://evil.example"]')).to_have_count(0, timeout=3_000)


# -- 7. German UI --------------------------------------------------------------------------------------------
@pytest.mark.browser
def test_german_ui_shows_german_starters_and_a_starter_is_answered(server: Server, new_chat) -> None:
    chat = new_chat("de-DE", server.url)
    page = open_chat(chat)
    for label in ("LinkedIn-Anzeigen und Incentive-Reise", "Kundenworkshop zu Copilot", "Prüfungsgutscheine",
                  "Welche Nachweise?"):
        expect(page.get_by_role("button", name=label)).to_be_visible()
    expect(page.get_by_text("Customer workshop")).to_have_count(0)
    expect(page.locator("#chat-input")).to_have_attribute("placeholder", re.compile("Nachricht"))

    click_starter(page, "Kundenworkshop zu Copilot",
                  "Ist ein Workshop für unsere Kunden zu Microsoft 365 Copilot Co-op-fähig?")
    answer = answer_with_handoff(page, "de")
    expect(answer).to_contain_text("förderfähig · Market Development")
    expect(answer).to_contain_text("„Kundenseminare und Bootcamps“")
    chat.assert_only_local_requests()


# -- 4. Feedback across a restart (own servers on one data dir) ----------------------------------------------
class RestartLab:
    def __init__(self, base: Path, browser: Any) -> None:
        self.data_dir = base / "data"
        self.log = base / "server.log"
        self.browser = browser
        self.servers: list[Server] = []
        self.chats: list[Chat] = []
        self.state: dict[str, Any] = {}

    def start(self, label: str) -> Server:
        srv = start_server(self.data_dir, self.log, label)
        self.servers.append(srv)
        return srv

    def chat(self, locale: str, base_url: str) -> Chat:
        chat = Chat(self.browser, locale, base_url)
        self.chats.append(chat)
        return chat


@pytest.fixture(scope="module")
def restart_lab(tmp_path_factory: pytest.TempPathFactory, browser: Any) -> Iterator[RestartLab]:
    lab = RestartLab(tmp_path_factory.mktemp("e2e-restart"), browser)
    yield lab
    for chat in lab.chats:
        chat.close()
    for srv in lab.servers:
        srv.stop()


@pytest.mark.browser
def test_thumbs_up_is_stored_and_survives_a_restart(restart_lab: RestartLab) -> None:
    first = restart_lab.start("restart test, server 1 (fresh COOP_DATA_DIR)")
    chat = restart_lab.chat("de-DE", first.url)
    page = open_chat(chat)
    send(page, Q_FEEDBACK)
    answer = answer_with_handoff(page, "de")
    expect(page).to_have_url(re.compile(r"/thread/[0-9a-f-]{36}$"))
    thread_id = page.url.rsplit("/", 1)[1]
    answer_id = step_id(answer)
    guest = chat.context.request.get(first.url + "/user").json()["identifier"]

    answer.locator(".positive-feedback-off").click()
    page.locator("#submit-feedback").click()  # the optional comment dialog
    expect(answer.locator(".positive-feedback-on")).to_be_visible()
    rows = poll(lambda: feedback_rows(first.db_path, thread_id), 10, "the thumbs-up row in the feedbacks table")
    assert len(rows) == 1 and rows[0][3] == 1, rows
    # Chainlit files the feedback under the answer's step or, as 2.12 does, under its parent run step
    assert rows[0][1] in {answer_id, poll(lambda: parent_step(first.db_path, answer_id), 10, "the answer's step row")}

    first.stop()
    assert feedback_rows(first.db_path, thread_id) == rows
    second = restart_lab.start("restart test, server 2 (same COOP_DATA_DIR)")
    assert feedback_rows(second.db_path, thread_id) == rows
    # same browser, same cookie: still the same guest for the new server process
    assert chat.context.request.get(second.url + "/user").json()["identifier"] == guest
    chat.assert_only_local_requests()
    restart_lab.state.update(chat=chat, server=second, thread_id=thread_id)


@pytest.mark.browser
def test_thread_is_in_the_history_after_the_restart(restart_lab: RestartLab) -> None:
    if "chat" not in restart_lab.state:
        pytest.skip("the restart test did not get this far")
    chat: Chat = restart_lab.state["chat"]
    server: Server = restart_lab.state["server"]
    chat.page.goto(server.url + "/")
    expect(chat.page.locator("#chat-input")).to_be_visible()
    expect(chat.page.locator("#thread-history")).to_contain_text(Q_FEEDBACK[:30], timeout=10_000)
    # reopening the thread brings back the answer and its stored source passages (local file storage)
    chat.page.locator("#thread-history").get_by_text(Q_FEEDBACK[:30]).first.click()
    answer = chat.page.locator(ANSWERS).filter(has_text="Messen und Veranstaltungen").first
    expect(answer).to_be_visible(timeout=15_000)
    panel = open_side_element(chat.page, answer, "Quelle 1")
    expect(panel).to_contain_text("Beispiele für förderfähige Aktivitäten")
    expect(chat.page.locator("#chat-input")).to_be_visible()  # on_chat_resume: the conversation goes on

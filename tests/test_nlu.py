"""The learned recogniser (assistant/nlu): its corpus, determinism, cache, and the policy that uses it."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from assistant.errors import RulesError
from assistant.nlu.linear import LinearText
from assistant.nlu.recognizer import DATA_DIR, NONE, PROCESS, Recognition, Recognizer, _prepare, fit_pipeline, load_corpus
from assistant.rules.matcher import Matcher


@pytest.fixture(scope="module")
def labels(lexical_checker) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.id for r in lexical_checker.rules.rules} | {NONE, PROCESS}


def test_corpus_is_large_bilingual_and_covers_every_label(labels: set[str]) -> None:
    examples = load_corpus(DATA_DIR, labels)
    assert len(examples) >= 1500
    per_label = Counter(e.label for e in examples)
    assert set(per_label) == labels and min(per_label.values()) >= 20
    per_lang = Counter(e.lang for e in examples)
    assert min(per_lang.values()) >= 0.4 * len(examples)
    assert all(e.origin.strip() for e in examples)


def test_bad_corpus_lines_name_file_and_line(tmp_path: Path, labels: set[str]) -> None:
    good = {"text": "Google Ads für Azure", "label": "dg.digital-advertising", "lang": "de", "origin": "test"}
    (tmp_path / "a.jsonl").write_text(json.dumps(good) + "\n" + json.dumps({**good, "label": "dg.radio"}) + "\n")
    with pytest.raises(RulesError, match=r"a.jsonl:2: unknown label 'dg.radio'"):
        load_corpus(tmp_path, labels)
    (tmp_path / "a.jsonl").write_text(json.dumps({**good, "origin": ""}) + "\n")
    with pytest.raises(RulesError, match=r"a.jsonl:1: not a training line"):
        load_corpus(tmp_path, labels)


@pytest.fixture(scope="module")
def recognizer(labels: set[str], session_settings) -> Recognizer:  # type: ignore[no-untyped-def]
    """The model every other test and the assistant read: from the shared model cache (trained there when missing)."""
    return Recognizer.load_or_train(DATA_DIR, session_settings.model_cache, labels)


def test_training_is_deterministic_and_cached(recognizer: Recognizer, labels: set[str], tmp_path: Path) -> None:
    texts = ["Können wir LinkedIn-Anzeigen bezahlen?", "our phone bill", "Wie lange wird das Budget aufgebaut?"]
    first = Recognizer.load_or_train(DATA_DIR, tmp_path, labels)  # a fresh fit beside the shared one, into its own cache
    assert [recognizer.read(t).ranked for t in texts] == [first.read(t).ranked for t in texts]
    cached = list(tmp_path.glob("recognizer-*.npz"))
    assert len(cached) == 1 and first.fingerprint in cached[0].name
    assert Recognizer.load_or_train(DATA_DIR, tmp_path, labels).read(texts[0]).ranked == first.read(texts[0]).ranked


def test_the_run_time_form_gives_scikit_learns_probabilities(labels: set[str], tmp_path: Path) -> None:
    """The model read without scikit-learn (assistant.nlu.linear) equals the fitted pipeline on every training line
    and eval question, for many classes and for two; saved and loaded, it stays equal."""
    examples = load_corpus(DATA_DIR, labels)
    texts = [_prepare(e.text) for e in examples]
    for path in sorted((Path(__file__).parent.parent / "evals" / "data").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            case = json.loads(line)
            texts += [_prepare(t["question"]) for t in case.get("turns", [case])]
    texts += ["", "x", "a b"]
    # every label on every fourth line (each label keeps lines), two classes on every sixth: the same conversion, a
    # fraction of the fitting time
    two = [e.model_copy(update={"label": NONE if e.label == NONE else "rule"}) for e in examples[::6]]
    assert {e.label for e in examples[::4]} == {e.label for e in examples}
    for fitted in (fit_pipeline(examples[::4]), fit_pipeline(two)):
        LinearText.from_pipeline(fitted).save(tmp_path / "m.npz")
        runtime = LinearText.load(tmp_path / "m.npz")
        expected = fitted.predict_proba(texts)
        got = np.vstack([runtime.predict_proba(t) for t in texts])
        assert runtime.classes == [str(c) for c in fitted.classes_]
        assert np.abs(got - expected).max() < 1e-6  # the weights in single precision (linear.COEF_DTYPE)


def test_reading_explains_itself(recognizer: Recognizer) -> None:
    reading = recognizer.read("Können wir eine Printanzeige in der Computerwoche schalten?")
    assert len(reading.ranked) == 3 and reading.ranked[0][1] >= reading.ranked[1][1]
    assert 0.0 < sum(p for _, p in reading.ranked) <= 1.0001
    assert reading.evidence and all(isinstance(e, str) and e for e in reading.evidence)


# -- the policy, with a scripted reader ----------------------------------------------------------------------
@dataclass
class Scripted:
    ranked: tuple[tuple[str, float], ...]

    def read(self, text: str, top: int = 3) -> Recognition:
        return Recognition(self.ranked, ("scripted",))


POLICY = [
    # (text, reader's ranking, verdict, rule)
    ("a term match stands when the reader agrees", "Können wir LinkedIn-Anzeigen bezahlen?",
     (("dg.digital-advertising", 0.8),), "eligible", "dg.digital-advertising"),
    ("a confident 'none' vetoes a term match", "Zahlt Co-op unser SMS-Gateway für den Helpdesk?",
     (("none", 0.9),), "unclear", None),
    ("an unsure 'none' does not veto", "Können wir eine SMS-Kampagne für Kunden bezahlen?",
     (("none", 0.4), ("dg.direct-email-sms", 0.3)), "eligible", "dg.direct-email-sms"),
    ("exclusions win over any reading", "Incentive-Reise für unsere Top-Verkäufer?",
     (("none", 0.95),), "not_eligible", "excl.seller-award-trips"),
    ("no term: a confident reading decides", "Wir möchten eine Annonce in einem gedruckten Fachblatt",
     (("dg.print-ads", 0.85),), "eligible", "dg.print-ads"),
    ("no term: an unsure reading does not", "Wir möchten eine Annonce in einem gedruckten Fachblatt",
     (("dg.print-ads", 0.4),), None, None),
    ("no term: a single word never decides alone", "Gedrucktes", (("dg.print-ads", 0.95),), None, None),
    ("no term: two words may", "Gedrucktes Fachblatt", (("dg.print-ads", 0.95),), "eligible", "dg.print-ads"),
    ("no term: an audience rule without audience needs info", "ein ganztägiges Hands-on zu Fabric",
     (("md.customer-seminars", 0.9),), "needs_info", None),
    ("no term: an exclusion reading is not eligible", "die Rechnung des Auditors für die Specialization",
     (("excl.specialization-audit-fees", 0.9),), "not_eligible", "excl.specialization-audit-fees"),
]


@pytest.mark.parametrize(("text", "ranked", "verdict", "rule"), [row[1:] for row in POLICY],
                         ids=[row[0] for row in POLICY])
def test_policy_with_a_reader(lexical_checker, text: str, ranked: tuple, verdict: str | None,  # type: ignore[no-untyped-def]
                              rule: str | None) -> None:
    matcher = Matcher(lexical_checker.rules, None, Scripted(ranked), 0.6, 0.6)
    decision = matcher.decide(text, allow_semantic=False)
    if verdict is None:
        assert decision is None
        return
    assert decision is not None and decision.verdict == verdict
    assert (decision.rule.id if decision.rule else None) == rule


@dataclass(frozen=True)
class ByWords:
    """A reader whose ranking depends on a word of the text (the first listed that occurs), else `rest`."""

    readings: tuple[tuple[str, tuple[tuple[str, float], ...]], ...]
    rest: tuple[tuple[str, float], ...] = (("none", 0.9),)

    def read(self, text: str, top: int = 3) -> Recognition:
        ranked = next((r for word, r in self.readings if word in text.split()), self.rest)
        return Recognition(ranked, ("scripted",))


PRINT_WEAK = (("dg.print-ads", 0.6), ("none", 0.2))
AD = "eine Anzeige zu Microsoft 365 im Mitgliederheft"
WEAKER = [
    # (id, activity, its sentence, asked, reader, verdict, rule) — matcher step 6 with learned_min 0.8 and a weaker
    # reading (>= 0.5) for an asked activity of a message naming a Microsoft offering, its sentence reading the same
    ("asked, its sentence reads the same rule: decides", AD, f"{AD} der Kammer", True,
     ByWords((("anzeige", PRINT_WEAK),)), "eligible", "dg.print-ads"),
    ("not asked (context): does not decide", AD, f"{AD} der Kammer", False, ByWords((("anzeige", PRINT_WEAK),)),
     None, None),
    ("no Microsoft offering named: does not decide", "eine Anzeige im Mitgliederheft",
     "eine Anzeige im Mitgliederheft der Kammer", True, ByWords((("anzeige", PRINT_WEAK),)), None, None),
    ("its sentence reads another rule first: does not decide", AD, f"Microsoft-Artikel als Feed und {AD}", True,
     ByWords((("feed", (("dg.syndicated-content", 0.5), ("dg.print-ads", 0.3))), ("anzeige", PRINT_WEAK))), None, None),
    ("the sentence's frame reads 'none' first, its first rule is the same: decides", AD, f"Geht {AD} über Co-op", True,
     ByWords((("geht", (("none", 0.5), ("dg.print-ads", 0.3))), ("anzeige", PRINT_WEAK))), "eligible", "dg.print-ads"),
    ("the none-veto sets a weaker reading aside", AD, f"Geht {AD} über Co-op", True,
     ByWords((("geht", (("none", 0.7), ("dg.print-ads", 0.2))), ("anzeige", PRINT_WEAK))), None, None),
    ("an amount is no evidence for a weaker reading", "Druck Azure 4.000 Stück", "Druck Azure 4.000 Stück", True,
     ByWords((("000", PRINT_WEAK),), rest=(("dg.print-ads", 0.3),)), None, None),
    ("below the weaker minimum: does not decide", AD, AD, True, ByWords((("anzeige", (("dg.print-ads", 0.45),)),)),
     None, None),
    ("a confident reading decides unasked", "eine Anzeige im Mitgliederheft", "eine Anzeige im Mitgliederheft", False,
     ByWords((("anzeige", (("dg.print-ads", 0.85),)),)), "eligible", "dg.print-ads"),
    ("two-letter fragments are no activity words", "we've ok before Azure", "we've ok before Azure", True,
     ByWords((("ve", (("md.proof-of-concept", 0.95),)),)), None, None),
]


@pytest.mark.parametrize(("text", "sentence", "asked", "reader", "verdict", "rule"), [row[1:] for row in WEAKER],
                         ids=[row[0] for row in WEAKER])
def test_a_weaker_reading_decides_only_what_is_asked(lexical_checker, text: str, sentence: str, asked: bool,  # type: ignore[no-untyped-def]
                                                     reader: ByWords, verdict: str | None, rule: str | None) -> None:
    matcher = Matcher(lexical_checker.rules, None, reader, 0.6, 0.8, learned_asked_min=0.5)
    decision = matcher.decide(text, allow_semantic=False, sentence=sentence, asked=asked)
    if verdict is None:
        assert decision is None
        return
    assert decision is not None and (decision.verdict, decision.rule.id if decision.rule else None) == (verdict, rule)


# What the recogniser reads of an activity (matcher `_described`): without the audience — its one-word terms, its longer
# terms where they stand, the possessives before them and the word naming which of them — but a word of a longer term
# alone is read ("training" of "employee training", "sales" of "sales team": before session 24 the recogniser never
# saw them), and so is a word of a Microsoft offering's name ("Teams Rooms").
DESCRIBED = [
    ("a word of a longer audience term", "sales training on azure", ["sales", "training", "on", "azure"]),
    ("the longer term where it stands", "azure workshop for our sales team", ["azure", "workshop", "for"]),
    ("an offering's name", "teams rooms training for our own staff", ["teams", "rooms", "training", "for"]),
    ("a one-word term and the word naming which", "schulung fuer unsere data engineers", ["schulung", "fuer"]),
    ("customers likewise", "webinar fuer unsere kunden zu copilot", ["webinar", "fuer", "zu", "copilot"]),
]


@pytest.mark.parametrize(("text", "read"), [r[1:] for r in DESCRIBED], ids=[r[0] for r in DESCRIBED])
def test_the_recogniser_reads_the_activity_without_its_audience(lexical_checker, text: str,  # type: ignore[no-untyped-def]
                                                                read: list[str]) -> None:
    assert lexical_checker.matcher._described(tuple(text.split())) == read


def test_the_veto_reads_what_is_described_not_the_question_frame(assistant) -> None:  # type: ignore[no-untyped-def]
    """The none-veto's reader learned without question-frame words, so it reads without them too; a one-word
    activity with nothing besides it in its sentence is read in its message, and with nothing around it at all
    nothing says it is not marketing."""
    from assistant.nlu.recognizer import without_frame

    matcher = assistant.matcher
    frame = assistant.rules.frame_set
    assert matcher.veto is not None and matcher.veto is not matcher.learned
    assert without_frame("Können wir LinkedIn-Anzeigen mit Co-op bezahlen?", frame) == "linkedin anzeigen"
    assert matcher.p_not_marketing(("plakate",), "und Plakate?", "und Plakate?") == 0.0
    message = "Our bowling club holds its summer festival in June. It's an event – can we use Co-op?"
    read_in_message = matcher.p_not_marketing(("event",), "It's an event – can we use Co-op?", message)
    assert read_in_message == matcher.veto.read(without_frame(message, frame)).p(NONE)
    assert read_in_message >= matcher.none_veto

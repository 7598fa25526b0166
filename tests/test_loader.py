"""The rule loader rejects every kind of broken rule file with the file, the rule and what to do."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from assistant.config import Settings
from assistant.errors import KnowledgeError, RulesError
from assistant.knowledge import load_knowledge
from assistant.rules.loader import load_rules

SETTINGS = Settings()
KB = load_knowledge(SETTINGS.knowledge_dir)
GOOD_RULE = """
  - id: dg.print-ads
    kind: eligible_activity
    category: demand_generation
    section: demand-generation
    source_quote: "Printanzeigen"
    title: {de: "Printanzeigen", en: "Print ads"}
    terms: {de: [printanzeige], en: [print ad]}
    examples: {de: ["Anzeige in der Zeitung"], en: ["a newspaper ad"]}
    cases: {positive: ["Printanzeige?"], negative: ["Gehälter?"]}
"""


def write_rules(tmp_path: Path, text: str, name: str = "bad.yaml") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder


BAD = [
    ("syntax-error", "rules:\n  - id: [unclosed\n", ["bad.yaml"]),
    ("duplicate-key", "rules:" + GOOD_RULE + "    kind: exclusion\n", ["bad.yaml", "duplicate key 'kind'"]),
    ("unknown-field", "rules:" + GOOD_RULE + "    colour: red\n", ["bad.yaml", "dg.print-ads", "colour"]),
    ("quote-not-in-guidance", "rules:" + GOOD_RULE.replace('"Printanzeigen"\n', '"Radiowerbung"\n'),
     ["bad.yaml", "dg.print-ads", "Radiowerbung", "verbatim"]),
    ("unknown-section", "rules:" + GOOD_RULE.replace("section: demand-generation", "section: nowhere"),
     ["bad.yaml", "dg.print-ads", "nowhere"]),
    ("no-negative-case", "rules:" + GOOD_RULE.replace('negative: ["Gehälter?"]', "negative: []"),
     ["bad.yaml", "dg.print-ads", "negative case"]),
    ("no-cases-at-all", "rules:" + GOOD_RULE.replace('    cases: {positive: ["Printanzeige?"], negative: ["Gehälter?"]}\n', ""),
     ["bad.yaml", "dg.print-ads", "cases"]),
    ("eligible-without-category", "rules:" + GOOD_RULE.replace("category: demand_generation", "category: null"),
     ["bad.yaml", "dg.print-ads", "category"]),
    ("bad-id", "rules:" + GOOD_RULE.replace("id: dg.print-ads", "id: Print Ads"), ["bad.yaml", "Print Ads", "id"]),
    ("no-english-terms", "rules:" + GOOD_RULE.replace("en: [print ad]", "en: []"), ["bad.yaml", "dg.print-ads", "English"]),
    ("not-a-mapping", "- just\n- a list\n", ["bad.yaml", "mapping"]),
    ("place-term-not-a-term", "rules:" + GOOD_RULE + "    place_terms: {de: [website], en: []}\n",
     ["bad.yaml", "dg.print-ads", "place_terms", "website"]),
    ("topic-term-not-a-term", "rules:" + GOOD_RULE + "    topic_terms: {de: [], en: [migration]}\n",
     ["bad.yaml", "dg.print-ads", "topic_terms", "migration"]),
    ("purpose-waived-without-offerings", "rules:" + GOOD_RULE + "purposes:\n  - id: other-vendor\n"
     "    origin: a test purpose list\n    waived_by_offering: true\n    terms: {de: [aws], en: [aws]}\n",
     ["other-vendor", "offerings"]),
    ("purpose-without-origin", "rules:" + GOOD_RULE + "purposes:\n  - id: private\n    terms: {de: [privat], en: [private]}\n",
     ["bad.yaml", "private", "origin"]),
    ("line-number",
     "rules:" + GOOD_RULE + GOOD_RULE.replace("dg.print-ads", "dg.other").replace("kind: eligible_activity", "kind: maybe"),
     ["bad.yaml", "dg.other", "line 12", "kind"]),
]


@pytest.mark.parametrize(("text", "needles"), [(t, n) for _, t, n in BAD], ids=[i for i, _, _ in BAD])
def test_broken_rule_file_names_file_and_rule(tmp_path: Path, text: str, needles: list[str]) -> None:
    folder = write_rules(tmp_path, text)
    with pytest.raises(RulesError) as err:
        load_rules(folder, KB)
    for needle in needles:
        assert needle in str(err.value), str(err.value)


def test_good_rule_file_loads(tmp_path: Path) -> None:
    base = load_rules(write_rules(tmp_path, "rules:" + GOOD_RULE), KB)
    assert [r.id for r in base.rules] == ["dg.print-ads"]


def test_id_defined_in_two_files(tmp_path: Path) -> None:
    write_rules(tmp_path, "rules:" + GOOD_RULE, "a.yaml")
    folder = write_rules(tmp_path, "rules:" + GOOD_RULE, "b.yaml")
    with pytest.raises(RulesError, match=r"b\.yaml: id 'dg.print-ads' is defined twice \(also in .*a\.yaml\)"):
        load_rules(folder, KB)


def test_parts_name_rules_of_the_base(tmp_path: Path) -> None:
    folder = write_rules(tmp_path, "rules:" + GOOD_RULE + "    parts: [dg.radio-ads]\n")
    with pytest.raises(RulesError, match=r"rule 'dg.print-ads' names unknown parts or touchpoints \['dg.radio-ads'\]"):
        load_rules(folder, KB)


def test_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    with pytest.raises(RulesError, match="no rule files"):
        load_rules(tmp_path / "rules", KB)


def test_yes_and_no_stay_words(tmp_path: Path) -> None:
    """YAML 1.1 would turn the frame words yes/no into booleans; ours keeps them text."""
    folder = write_rules(tmp_path, "rules:" + GOOD_RULE + "frame_words: {de: [ja, nein], en: [yes, no, ok, on]}\n")
    assert load_rules(folder, KB).frame_words.en == ["yes", "no", "ok", "on"]


def test_the_shipped_rule_base_is_complete() -> None:
    base = load_rules(SETTINGS.rules_dir, KB)
    kinds = {}
    for r in base.rules:
        kinds.setdefault((r.kind, r.category), []).append(r.id)
    assert len(kinds[("eligible_activity", "demand_generation")]) == 9
    assert len(kinds[("eligible_activity", "market_development")]) == 9
    assert len(kinds[("eligible_activity", "partner_skilling")]) == 6
    assert kinds[("allowance", None)] == ["allow.featured-partner-sponsorship"]
    assert sorted(kinds[("exclusion", None)]) == [
        "excl.mdf-surestep-cofunding", "excl.seller-award-trips", "excl.specialization-audit-fees"]
    for r in base.rules:
        assert r.source_quote in KB.section(r.section).text


def test_knowledge_manifest_pointing_at_missing_line(tmp_path: Path) -> None:
    shutil.copytree(SETTINGS.knowledge_dir, tmp_path / "k")
    manifest = tmp_path / "k" / "manifest.yaml"
    manifest.write_text(manifest.read_text().replace('"Mehr Informationen"', '"Noch mehr Informationen"', 1))
    with pytest.raises(KnowledgeError, match="Noch mehr Informationen"):
        load_knowledge(tmp_path / "k")


def test_knowledge_without_manifest(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeError, match="manifest"):
        load_knowledge(tmp_path)


def test_english_rendering_pairs_every_section_sentence_by_sentence() -> None:
    """Process answers quote German sentence i with English sentence i: the rendering must stay aligned."""
    from assistant.engine import sentences

    for section in KB.sections():
        rendering = KB.rendering(section.id, "en")
        assert rendering is not None, section.id
        de = sentences(section.body)
        en = sentences(rendering.body)
        assert len(de) == len(en), (section.id, len(de), len(en))
    marker = KB.documents[1].text.splitlines()[0]
    assert "translation" in marker and "not the authoritative" in marker


def test_answers_name_the_guidance_edition_and_an_expired_edition_stops_start(tmp_path: Path) -> None:
    from assistant.engine import Assistant
    from assistant.errors import KnowledgeError

    assert "Alles über Co-op-Fonds" in KB.version and "sha256 " in KB.version
    shutil.copytree(SETTINGS.knowledge_dir, tmp_path / "k")
    manifest = tmp_path / "k" / "manifest.yaml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        "version: {label:", "version: {in_force_until: 2026-06-30, label:"), encoding="utf-8")
    expired = Settings(knowledge_dir=tmp_path / "k", data_dir=tmp_path / "d", as_of=date(2026, 7, 1))
    with pytest.raises(KnowledgeError, match="not in force on 2026-07-01"):
        Assistant(expired)

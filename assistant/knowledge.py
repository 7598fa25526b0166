"""The knowledge base: documents listed in knowledge/manifest.yaml, split into stable sections."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from assistant.errors import KnowledgeError
from assistant.yamlio import load_yaml

MANIFEST = "manifest.yaml"


class SectionSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    starts: str
    title: str | None = None


class VersionSpec(BaseModel):
    """Which edition of a document this is, and when it is in force (None = not stated by the source)."""

    model_config = ConfigDict(extra="forbid")
    label: str
    in_force_from: date | None = None
    in_force_until: date | None = None

    def covers(self, day: date) -> bool:
        return (self.in_force_from is None or self.in_force_from <= day) and \
            (self.in_force_until is None or day <= self.in_force_until)


class DocumentSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str
    version: VersionSpec | None = None
    file: str
    language: str
    authoritative: bool = False
    translation_of: str | None = None
    title: str
    sections: list[SectionSpec]


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    documents: list[DocumentSpec]


@dataclass(frozen=True)
class Section:
    """One section of one document: its stable id, heading and verbatim text."""

    doc_id: str
    id: str
    title: str
    text: str

    @property
    def body(self) -> str:
        """The section's text without its heading line."""
        return "\n".join(self.text.splitlines()[1:])


@dataclass
class Document:
    spec: DocumentSpec
    text: str
    sections: list[Section] = field(default_factory=list)


@dataclass
class KnowledgeBase:
    """All documents; the authoritative (German) ones are what quotes must come from."""

    documents: list[Document]
    fingerprint: str

    @property
    def version(self) -> str:
        """The guidance every answer rests on: the authoritative document's version label and content hash."""
        doc = self.authoritative[0]
        label = doc.spec.version.label if doc.spec.version else doc.spec.title
        digest = hashlib.sha256(doc.text.encode("utf-8")).hexdigest()[:12]
        return f"{label} (sha256 {digest})"

    def in_force(self, day: date) -> bool:
        """Is the authoritative guidance in force on `day`? (No stated dates: always.)"""
        return all(d.spec.version is None or d.spec.version.covers(day) for d in self.authoritative)

    @property
    def authoritative(self) -> list[Document]:
        return [d for d in self.documents if d.spec.authoritative]

    def sections(self) -> list[Section]:
        """Sections of the authoritative documents, in document order."""
        return [s for d in self.authoritative for s in d.sections]

    def section(self, section_id: str) -> Section:
        for s in self.sections():
            if s.id == section_id:
                return s
        raise KnowledgeError(f"No section {section_id!r} in knowledge/ (known: {[s.id for s in self.sections()]}).")

    def rendering(self, section_id: str, language: str) -> Section | None:
        """The section with the same id in a translation into `language`, if there is one."""
        for d in self.documents:
            if d.spec.language == language and not d.spec.authoritative:
                for s in d.sections:
                    if s.id == section_id:
                        return s
        return None

    def title_in(self, section_id: str, language: str) -> str:
        """The section's title for a reader of `language`: the translation's title with the original's in parentheses
        ("Tip 2: … (Tipp 2: …)"), or the original's alone when there is no translation."""
        title = self.section(section_id).title
        rendering = self.rendering(section_id, language)  # None in the original's language
        return f"{rendering.title} ({title})" if rendering and rendering.title != title else title

    def contains(self, quote: str) -> bool:
        return any(quote in d.text for d in self.authoritative)


def _split(doc: DocumentSpec, text: str, path: Path) -> list[Section]:
    lines = text.splitlines()
    starts: list[tuple[int, SectionSpec]] = []
    for spec in doc.sections:
        matches = [i for i, line in enumerate(lines) if line.strip() == spec.starts]
        if not matches:
            raise KnowledgeError(f"{path}: section {spec.id!r} starts at line {spec.starts!r}, which is not in the file.")
        starts.append((matches[0], spec))
    starts.sort(key=lambda pair: pair[0])
    out = []
    for n, (line_no, spec) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = "\n".join(line for line in lines[line_no:end] if line.strip())
        out.append(Section(doc.id, spec.id, spec.title or spec.starts, body))
    return out


def load_knowledge(directory: Path) -> KnowledgeBase:
    """Read the manifest and its documents; fail with a message naming the file."""
    manifest_path = directory / MANIFEST
    if not manifest_path.is_file():
        raise KnowledgeError(f"{manifest_path} is missing: the knowledge base needs its manifest.")
    try:
        manifest = Manifest.model_validate(load_yaml(manifest_path))
    except ValidationError as exc:
        raise KnowledgeError(f"{manifest_path}: invalid manifest: {exc}") from exc
    digest = hashlib.sha256(manifest_path.read_bytes())
    documents = []
    for spec in manifest.documents:
        path = directory / spec.file
        try:
            raw = path.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise KnowledgeError(f"{path}: cannot read the document ({exc}).") from exc
        digest.update(raw)
        documents.append(Document(spec, text, _split(spec, text, path)))
    if not any(d.spec.authoritative for d in documents):
        raise KnowledgeError(f"{manifest_path}: no document is marked authoritative.")
    return KnowledgeBase(documents, digest.hexdigest()[:16])


@lru_cache(maxsize=4)
def cached_knowledge(directory: Path) -> KnowledgeBase:
    return load_knowledge(directory)

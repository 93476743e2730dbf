"""``kg draft``: read the seeds, run an extractor over a new document, verify what it
found, and write the draft annotation file beside the document."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from kg import __version__, seeds
from kg.claimtypes import EXTRACTION_RUNS
from kg.concepts import register
from kg.config import Settings
from kg.draft.article import Article, Extraction, Extractor, Ids
from kg.draft.dates import first_full_date
from kg.draft.text import Sentence, sentences
from kg.draft.verify import verify
from kg.draft.write import render
from kg.errors import SeedError, SeedErrors
from kg.vocabulary import ConceptIndex, load_turtle
from kg.yamlfile import Mapping, Sequence, load


@dataclass(frozen=True)
class Drafted:
    path: Path
    extraction: Extraction
    sentences: list[Sentence]
    uncovered: list[Sentence]

    @property
    def coverage(self) -> float:
        return 1 - len(self.uncovered) / len(self.sentences) if self.sentences else 1.0


def extractor(name: str, settings: Settings) -> Extractor:
    """The extractor by name: ``rules`` or ``model``."""
    if name == "model":
        from kg.draft.model import ModelExtractor

        return ModelExtractor.from_settings(settings)
    from kg.draft.rules import RuleExtractor

    return RuleExtractor()


def read_article(settings: Settings, text_path: Path) -> Article:
    """The document to draft and what the seeds already know (registry, ids, concepts)."""
    slug = text_path.stem
    text = article_text(settings, text_path)
    known = seeds.load(settings.seeds_dir, without=slug)
    taken = {e.id for e in known.entities} | {c.id for c in known.claims()}
    taken |= {r.id for d in known.documents for r in (*d.runs, *d.proposed)}
    found = sentences(text)
    date, wording = first_full_date(text) or (None, None)
    concepts = ConceptIndex.from_graph(load_turtle(settings.ontology_dir, settings.ns),
                                       settings.ns)  # fmt: skip
    register(concepts, known.declared_concepts(), settings.ns, lambda *_: None)
    return Article(slug, text, "en", date, wording, found, known.entities, concepts,
                   frozenset(taken), settings.ns)  # fmt: skip


def article_text(settings: Settings, text_path: Path) -> str:
    """The text of an article to draft, or one line saying why ``text_path`` is none: a
    plain-text news report in ``seeds/documents/NAME.txt`` (UTF-8, with sentences), not an
    annotation file, a binary file, an empty one or a file the seeds do not read."""
    documents = settings.seeds_dir / seeds.DOCUMENTS_DIR
    put = f"put the article's text, byte for byte, in {documents}/NAME.txt and draft that"
    if text_path.suffix != ".txt":
        raise SeedError(text_path, None, "is not an article's text (kg draft reads .txt files)",
                        put)  # fmt: skip
    try:
        data = text_path.read_bytes()
    except OSError as exc:
        raise SeedError(text_path, None, f"cannot be read ({exc.strerror})", put) from exc
    if text_path.resolve().parent != documents.resolve():
        raise SeedError(text_path, None, f"is not in {documents}, where kg build and kg review "
                        "read articles", put)  # fmt: skip
    if b"\x00" in data:
        raise SeedError(text_path, None, "is binary, not an article's text", put)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SeedError(text_path, None, f"is not UTF-8 text (byte {exc.start} is not)",
                        "save the article as plain UTF-8 text") from exc  # fmt: skip
    controls = sum(not c.isprintable() and not c.isspace() for c in text)
    if controls > 0.01 * len(text):
        raise SeedError(text_path, None, "is binary, not an article's text", put)
    if not text.strip():
        raise SeedError(text_path, None, "is empty", "put the article's text in it, byte for byte")
    if _structured(text) or not any(len(re.findall(r"[^\W\d_]{2,}", s.text)) >= 3
                                    for s in sentences(text)):  # fmt: skip
        raise SeedError(text_path, None, "holds no sentences of prose, which kg draft needs "
                        "(is it data or markup rather than an article?)", put)  # fmt: skip
    return text


_FIELD_LINE = re.compile(r"^\s*(?:-\s|[\w .'\"-]{1,40}:(?:\s|$)|#|[{}\[\]<])")


def _structured(text: str) -> bool:
    """Whether the text reads as YAML, JSON or markup: most of its lines are fields, list
    items, comments, brackets or tags rather than prose."""
    lines = [line for line in text.splitlines() if line.strip()]
    return sum(bool(_FIELD_LINE.match(line)) for line in lines) > 0.6 * len(lines)


def draft(settings: Settings, text_path: Path, extractor: Extractor,
          now: dt.datetime | None = None) -> Drafted:  # fmt: skip
    """Draft ``text_path``; write ``NAME.yaml`` beside it unless a reviewed one exists."""
    article = read_article(settings, text_path)
    target = text_path.with_suffix(".yaml")
    _refuse_reviewed(target)
    extraction = verify(article, extractor.extract(article))
    now = (now or dt.datetime.now(dt.UTC)).replace(microsecond=0)
    stamp = now.strftime("%Y%m%dt%H%M%Sz")
    run = {"id": Ids(article.taken_ids).new(f"{extractor.name}-{stamp}"),
           "extractor": extractor.name}  # fmt: skip
    if extraction.model:
        run["model"] = extraction.model
    if extraction.prompt_hash:
        run["prompt hash"] = extraction.prompt_hash
    run["date"] = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    cited = _cited(article, extraction)
    uncovered = [s for s in article.sentences if not any(s.start < e and b < s.end
                                                         for b, e in cited)]  # fmt: skip
    document = {"title": _title(article), "language": article.language}
    if article.date:
        document["events date"] = article.date.isoformat()
    document |= {"publisher": "unknown", "url": "unknown", "publication date": "unknown",
                 "received as": text_path.name}  # fmt: skip
    header = (
        f"Drafted by `kg draft` ({extractor.name}, kg {__version__}) on {run['date']} from\n"
        f"{text_path.name}. Every claim and proposed entity is a draft: review it with\n"
        f"`kg review {article.slug}` (or by hand, see docs/annotations.md), then `kg build`.\n"
        "The title was made from the first sentence; publisher, URL and publication date\n"
        "are unknown until you say otherwise."
    )
    target.write_text(render(document=document, run=run, entities=extraction.entities,
                             claims=extraction.claims, uncovered=uncovered, header=header,
                             concepts=extraction.concepts), encoding="utf-8")  # fmt: skip
    return Drafted(target, extraction, article.sentences, uncovered)


def _cited(article: Article, extraction: Extraction) -> list[tuple[int, int]]:
    spans = []
    for claim in extraction.claims:
        for quote, occurrence in claim.evidence:
            at, n = -1, 0
            while n < (occurrence or 1):
                at = article.text.find(quote, at + 1)
                n += 1
            if at >= 0:
                spans.append((at, at + len(quote)))
    return spans


def _title(article: Article) -> str:
    first = article.sentences[0].text if article.sentences else article.slug
    words = first.split()
    return " ".join(words[:14]) + ("\u2026" if len(words) > 14 else "")


def _refuse_reviewed(target: Path) -> None:
    """An existing annotation file is replaced only if everything in it is a draft."""
    if not target.exists():
        return
    root = load(target)
    claims = root.get("claims") if isinstance(root, Mapping) else None
    items = claims.items if isinstance(claims, Sequence) else []
    reviewed = [c for c in items if not (isinstance(c, Mapping) and "draft" in c.entries)]
    drafted = isinstance(root, Mapping) and root.get(EXTRACTION_RUNS) is not None
    if reviewed or not (items or drafted):  # a draft without claims is still a draft
        raise SeedErrors([SeedError(
            target, reviewed[0].line if reviewed else 1,
            "exists and holds reviewed or hand-written claims, which kg draft never overwrites",
            "move it away first if you really want a new draft",
        )])  # fmt: skip

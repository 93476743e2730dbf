"""Measure ``kg draft`` against reviewed annotations.

    python -m bench.draft_bench [ROOT ...] [--write docs/benchmarks.md]

Each ROOT is a seeds folder (registry.yaml, documents/NAME.txt and NAME.yaml); by
default the publisher's ``seeds/`` and the test suite's fixture corpus ``tests/corpus``
when it exists. Each annotated document is copied with its registry into a temporary
folder, its annotation file removed, and drafted by the rule-based extractor
(kg/draft/rules.py). The draft is compared with the reviewed annotation:

* entities: the registry entities the claims name (any field that names one);
* quotations: statements, matched by their words and their speakers (a speaker that is
  a claim, such as a delegation, by what it stands for: "delegation of kestria");
* rounds: matched by their number and their date;
* claims by type: a drafted claim matches a reviewed one of the same type whose
  evidence overlaps its own (character spans of the text);
* coverage: the share of sentences (sentencex) that a drafted claim cites;
* exact quotes: the share of drafted evidence quotes found verbatim in the text;
* valid: whether the draft passes ``kg validate`` (its drafts are warnings only);
* time: wall time of the draft (reading the seeds included), best of three.

Precision is the share of drafted items that match, recall the share of reviewed ones
found. ``--write`` puts the table between ``<!-- begin draft figures -->`` and
``<!-- end draft figures -->``.
"""

from __future__ import annotations

import argparse
import io
import platform
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterable, Set
from pathlib import Path

from kg import pipeline, seeds
from kg.claimtypes import CLAIM_TYPES, ValueKind
from kg.config import Settings
from kg.draft.agents import find_agents
from kg.draft.article import Ids
from kg.draft.rules import RuleExtractor
from kg.draft.run import draft, read_article
from kg.errors import KgError
from kg.evidence import SourceText
from kg.progress import Steps
from kg.seeds import Claim, Entity

ROOT = Path(__file__).resolve().parent.parent


def _refs(claims: Iterable[Claim], entities: set[str]) -> set[str]:
    found = set()
    for claim in claims:
        for spec in claim.type.fields:
            if spec.kind is not ValueKind.REF or (claim.text(spec.key) is None and \
                    spec.key not in claim.values):  # fmt: skip
                continue
            node = claim.values.get(spec.key)
            items = getattr(node, "items", None) or [node]
            found |= {i.value for i in items if hasattr(i, "value") and i.value in entities}
    return found


def _texts(claim: Claim, key: str) -> list[str]:
    node = claim.values.get(key)
    items = getattr(node, "items", None) or [node]
    return [i.value for i in items if hasattr(i, "value")]


def _speakers(doc: seeds.Document, claim: Claim) -> frozenset[str]:
    """A statement's speakers; a delegation by the party it stands for."""
    delegations = {c.id: f"delegation of {c.text('of')}" for c in doc.claims
                   if c.type.name == "delegation"}  # fmt: skip
    return frozenset(delegations.get(s, s) for s in _texts(claim, "speaker"))


def _quote_key(words: str) -> str:
    return re.sub(r"[\s.,]+$", "", " ".join(words.split()))


def _spans(text: SourceText, claim: Claim) -> list[tuple[int, int]]:
    spans = []
    for quote in claim.evidence:
        try:
            span = text.locate(quote.text, quote.occurrence)
        except Exception:
            continue
        spans.append((span.start, span.end))
    return spans


def _pr(drafted: Set[object] | int, gold: Set[object] | int, hits: int | None = None
        ) -> tuple[float, float]:  # fmt: skip
    if isinstance(drafted, Set) and isinstance(gold, Set):
        hits = len(drafted & gold)
        drafted, gold = len(drafted), len(gold)
    assert isinstance(drafted, int) and isinstance(gold, int) and hits is not None
    return (hits / drafted if drafted else 1.0, hits / gold if gold else 1.0)


def measure(root: Path, name: str, repeat: int = 3) -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "seeds"
        shutil.copytree(root, copy)
        gold_path = copy / "documents" / f"{name}.yaml"
        gold_doc = next(d for d in seeds.load(copy).documents if d.slug == name)
        registry: tuple[Entity, ...] = seeds.load(copy).entities
        # A later article citing its claims by id (a report on its commitments) would
        # name ids the draft does not have: it goes too, text and annotation.
        gold_ids = {c.id for c in gold_doc.claims}
        for other in seeds.load(copy).documents:
            if other.slug != name and _refs(other.claims, gold_ids):
                for suffix in (".txt", ".yaml"):
                    (copy / "documents" / f"{other.slug}{suffix}").unlink()
        gold_path.unlink()
        settings = Settings(seeds_dir=copy, ontology_dir=ROOT / "ontology",
                            shapes_dir=ROOT / "shapes", data_dir=Path(folder) / "var")  # fmt: skip
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            drafted = draft(settings, copy / "documents" / f"{name}.txt", RuleExtractor())
            times.append(time.perf_counter() - start)
        try:
            pipeline.check(settings, Steps(quiet=True, out=io.StringIO()))
            valid = "yes"
        except KgError as error:
            valid = f"no: {str(error).splitlines()[-1]}"
        draft_doc = next(d for d in seeds.load(copy).documents if d.slug == name)
        article = read_article(settings, copy / "documents" / f"{name}.txt")
        mentioned = {m.entity for m in find_agents(article, Ids(article.taken_ids)).mentions}
    text = SourceText(gold_doc.text)
    ids = {e.id for e in registry}
    row: dict[str, object] = {
        "document": name,
        "seconds": min(times),
        "sentences": len(drafted.sentences),
        "coverage": drafted.coverage,
        "valid": valid,
    }
    row["entities"] = _pr(_refs(draft_doc.claims, ids), _refs(gold_doc.claims, ids))
    named = _refs(gold_doc.claims, ids)
    row["mentions"] = len(named & mentioned) / len(named) if named else 1.0

    def quotes(doc: seeds.Document) -> set[object]:
        return {(_quote_key(c.text("words") or ""), _speakers(doc, c)) for c in doc.claims
                if c.type.name == "statement"}  # fmt: skip

    def rounds(doc: seeds.Document) -> set[object]:
        return {(c.text("number"), c.text("date")) for c in doc.claims if c.type.name == "round"}

    row["quotations"] = _pr(quotes(draft_doc), quotes(gold_doc))
    row["rounds"] = _pr(rounds(draft_doc), rounds(gold_doc))
    quotes_total = sum(len(c.evidence) for c in draft_doc.claims)
    exact = sum(1 for c in draft_doc.claims for q in c.evidence
                if gold_doc.text.find(q.text) >= 0)  # fmt: skip
    row["exact"] = exact / quotes_total if quotes_total else 1.0
    by_type: dict[str, tuple[int, int, int, int]] = {}
    for claim_type in CLAIM_TYPES:
        mine = [c for c in draft_doc.claims if c.type is claim_type]
        theirs = [c for c in gold_doc.claims if c.type is claim_type]
        if not mine and not theirs:
            continue
        gold_spans = [_spans(text, c) for c in theirs]
        mine_spans = [_spans(text, c) for c in mine]

        def overlaps(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
            return any(s < f and t < e for s, e in a for t, f in b)

        hit_mine = sum(1 for m in mine_spans if any(overlaps(m, g) for g in gold_spans))
        hit_gold = sum(1 for g in gold_spans if any(overlaps(m, g) for m in mine_spans))
        by_type[claim_type.name] = (hit_mine, len(mine), hit_gold, len(theirs))
    row["types"] = by_type
    row["problems"] = drafted.extraction.problems
    return row


def _documents(root: Path) -> list[str]:
    folder = root / "documents"
    return sorted(p.stem for p in folder.glob("*.txt") if p.with_suffix(".yaml").exists())


def table(rows: list[tuple[str, dict[str, object]]]) -> str:
    def pct(pair: object) -> str:
        assert isinstance(pair, tuple)
        return f"{pair[0]:.0%} / {pair[1]:.0%}"

    lines = [
        "| corpus | document | sentences | coverage | exact quotes | valid | mentions found | "
        "entities in claims P / R | "
        "quotations (speaker) P / R | rounds (date) P / R | time |",
        "| --- | --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for corpus, row in rows:
        lines.append(
            f"| {corpus} | {row['document']} | {row['sentences']} | {row['coverage']:.0%} | "
            f"{row['exact']:.0%} | {row['valid']} | {row['mentions']:.0%} | "
            f"{pct(row['entities'])} | "
            f"{pct(row['quotations'])} | "
            f"{pct(row['rounds'])} | {row['seconds']:.2f} s |"
        )
    lines += ["", "Claims by type (drafted claims that match / drafted; reviewed claims found "
              "/ reviewed):", ""]  # fmt: skip
    lines += [
        "| corpus | document | type | precision | recall |",
        "| --- | --- | --- | ---: | ---: |",
    ]
    for corpus, row in rows:
        types = row["types"]
        assert isinstance(types, dict)
        for name, (hit_mine, mine, hit_gold, gold) in types.items():
            lines.append(f"| {corpus} | {row['document']} | {name} | {hit_mine}/{mine} | "
                         f"{hit_gold}/{gold} |")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="*", type=Path)
    parser.add_argument("--write", type=Path, help="put the figures into this Markdown file")
    args = parser.parse_args()
    roots = args.roots or [ROOT / "seeds", *[p for p in [ROOT / "tests" / "corpus"] if p.is_dir()]]
    rows = [(root.relative_to(ROOT).as_posix() if root.is_relative_to(ROOT) else str(root),
             measure(root, name)) for root in roots for name in _documents(root)]  # fmt: skip
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                            capture_output=True).stdout.strip()  # fmt: skip
    text = (f"Rule-based extractor, commit {commit}, {platform.python_implementation()} "
            f"{platform.python_version()}, {platform.machine()}.\n\n" + table(rows))  # fmt: skip
    print(text)
    for corpus, row in rows:
        for problem in row["problems"]:  # type: ignore[attr-defined]
            print(f"{corpus}/{row['document']}: {problem}")
    if args.write:
        doc = args.write.read_text(encoding="utf-8")
        pattern = re.compile(r"(<!-- begin draft figures -->\n).*?(<!-- end draft figures -->)",
                             re.S)  # fmt: skip
        doc = pattern.sub(lambda m: m.group(1) + text + "\n" + m.group(2), doc)
        args.write.write_text(doc, encoding="utf-8")


if __name__ == "__main__":
    main()

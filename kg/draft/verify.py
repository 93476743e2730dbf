"""Everything an extractor proposes passes through the same checks before it is
written: the claim type and its fields exist (kg/claimtypes.py), every id it names is
in the registry, among the proposed entities or the drafted claims, and is of a kind
the field takes, every concept is in its scheme, and every evidence quote is in the
text exactly — a near miss (curly quotes, dashes, spaces) is repaired only when it
matches one place of the text. What fails is dropped, and the reason kept."""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass

from kg.claimtypes import (
    CLAIM_TYPES_BY_NAME,
    CONCEPT_SCHEMES_BY_NAME,
    ENTITY_KINDS_BY_NAME,
    ClaimType,
    Field,
    ValueKind,
)
from kg.draft.article import Article, DraftClaim, Extraction, FieldValue, ProposedConcept
from kg.evidence import QuoteAmbiguous, QuoteNotFound, SourceText
from kg.seeds import ID_PATTERN
from kg.structured import ANCHORS, QUANTITY_KEYS
from kg.values import BadValue, parse_boolean, parse_date, parse_duration, parse_positive_integer
from kg.vocabulary import ConceptIndex
from kg.when import parse_when

_LOOKALIKES = {"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u2014": "-",
               "\u2013": "-", "\u00a0": " "}  # fmt: skip


@dataclass(frozen=True)
class Located:
    quote: str
    occurrence: int | None


def locate(source: SourceText, quote: str, start: int | None = None) -> Located:
    """``quote`` as it is in the text, with its occurrence when it is not unique.

    ``start``, when known, says which occurrence is meant. Raises QuoteNotFound with
    the reason when the quote is not in the text, or is ambiguous without ``start``."""
    text = source.text
    try:
        source.locate(quote)
        return Located(quote, None)
    except QuoteAmbiguous as exc:
        if start is None or start not in exc.starts:
            raise QuoteNotFound(
                f"it occurs {len(exc.starts)} times in the text: quote more words"
            ) from exc
        return Located(quote, exc.starts.index(start) + 1)
    except QuoteNotFound:
        pass
    spans = _loose_find(text, quote)
    if len(spans) == 1:
        repaired = text[spans[0][0] : spans[0][1]]
        return locate(source, repaired, spans[0][0])
    if len(spans) > 1:
        raise QuoteNotFound(f"it is a near miss of {len(spans)} places of the text")
    raise QuoteNotFound("it is not in the text, not even with other quotation marks or spaces")


def _loosen(text: str) -> tuple[str, list[int]]:
    """``text`` with typographic lookalikes made plain and spaces collapsed, and for each
    character of the result the offset it came from."""
    out: list[str] = []
    where: list[int] = []
    for at, char in enumerate(text):
        char = _LOOKALIKES.get(char, char)
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
        where.append(at)
    return "".join(out), where


def _loose_find(text: str, quote: str) -> list[tuple[int, int]]:
    loose_text, where = _loosen(text)
    loose_quote = _loosen(quote.strip())[0]
    if not loose_quote:
        return []
    spans = []
    for match in re.finditer(re.escape(loose_quote), loose_text):
        spans.append((where[match.start()], where[match.end() - 1] + 1))
    return spans


def _starts(text: str, quote: str) -> list[int]:
    """Where ``quote`` starts in ``text``, each occurrence after the one before (as
    kg/evidence.py counts occurrences)."""
    starts, at = [], text.find(quote)
    while at >= 0 and quote:
        starts.append(at)
        at = text.find(quote, at + len(quote))
    return starts


def _start(text: str, quote: str, occurrence: int | None) -> int | None:
    """Where the ``occurrence``-th ``quote`` starts in ``text`` (None: not said or absent)."""
    starts = _starts(text, quote)
    return starts[occurrence - 1] if occurrence and occurrence <= len(starts) else None


def cite(text: str, quote: str, start: int) -> tuple[str, int | None]:
    """``quote`` at ``start`` as an evidence item: with its occurrence when not unique."""
    starts = _starts(text, quote)
    if len(starts) <= 1:
        return quote, None
    return quote, starts.index(start) + 1 if start in starts else None


def _evidence(source: SourceText, quotes: list[tuple[str, int | None]]
              ) -> tuple[list[tuple[str, int | None]], str | None]:  # fmt: skip
    """The quotes as they are in the text, or the reason one cannot be used."""
    located = []
    for quote, occurrence in quotes:
        try:
            found = locate(source, quote, _start(source.text, quote, occurrence))
        except QuoteNotFound as exc:
            return [], f"its evidence {_short(quote)} cannot be used: {exc.hint}"
        located.append((found.quote, found.occurrence))
    return located, None


def _concepts(article: Article, proposed: list[ProposedConcept], problems: list[str]
              ) -> tuple[list[ProposedConcept], ConceptIndex]:  # fmt: skip
    """The proposed concepts that can be declared, and the index of every concept with
    them added (claims may name them)."""
    source = SourceText(article.text)
    index = ConceptIndex(copy.deepcopy(article.concepts.by_scheme))
    kept = []
    for concept in proposed:
        reason = None
        if concept.scheme not in CONCEPT_SCHEMES_BY_NAME:
            reason = f"{concept.scheme!r} is no concept scheme"
        elif not ID_PATTERN.match(concept.id) or not concept.label.strip():
            reason = "its id or label is not one a declaration takes"
        elif not concept.definition.strip():
            reason = "it has no definition"
        elif concept.broader and index.find(concept.scheme, concept.broader) is None:
            reason = f"its broader {concept.broader!r} is no concept of the {concept.scheme} scheme"
        else:
            evidence, reason = _evidence(source, concept.evidence)
            if reason is None:
                iri = article.ns.concept(concept.scheme, concept.id)
                names = [concept.label, *concept.aliases]
                taken = index.add(concept.scheme, concept.id, iri, names)
                if taken is not None:
                    reason = f"{taken!r} already names a concept of the {concept.scheme} scheme"
                else:
                    kept.append(dataclasses.replace(concept, evidence=evidence))
        if reason:
            problems.append(f"dropped the proposed {concept.scheme} concept {concept.id!r}: "
                            f"{reason}")  # fmt: skip
    return kept, index


def verify(article: Article, extraction: Extraction) -> Extraction:
    """The extraction with every claim checked; dropped claims and quotes explained."""
    source = SourceText(article.text)
    problems = list(extraction.problems)
    concepts, index = _concepts(article, extraction.concepts, problems)
    article = dataclasses.replace(article, concepts=index)
    kinds = {e.id: e.kind.name for e in article.entities}
    entities = []
    for entity in extraction.entities:
        if entity.kind not in ENTITY_KINDS_BY_NAME or not ID_PATTERN.match(entity.id):
            problems.append(f"dropped the proposed entity {entity.id!r}: its kind "
                            f"{entity.kind!r} or its id is not one the registry takes")  # fmt: skip
        elif entity.id in kinds or entity.id in article.taken_ids:
            problems.append(f"dropped the proposed entity {entity.id!r}: the id is taken")
        else:
            entities.append(entity)
    kinds |= {p.id: p.kind for p in entities}
    kinds |= {c.id: CLAIM_TYPES_BY_NAME[c.type].kind for c in extraction.claims
              if c.type in CLAIM_TYPES_BY_NAME}  # fmt: skip
    kept: list[DraftClaim] = []
    for claim in extraction.claims:
        reason = _check(article, source, kinds, claim)
        if reason:
            problems.append(f"dropped {claim.type or '?'} {claim.id!r}: {reason}")
        else:
            kept.append(claim)
    ids = {c.id for c in kept}
    for claim in list(kept):  # a claim may name one that was dropped
        for spec, value in _refs(claim):
            if value in kinds and value not in ids and kinds[value] in _CLAIM_KINDS:
                kept.remove(claim)
                problems.append(f"dropped {claim.type} {claim.id!r}: its '{spec}' names "
                                f"{value!r}, which was dropped")  # fmt: skip
                break
    used = {
        str(v)
        for c in kept
        for key, value in c.fields.items()
        for v in (value if isinstance(value, list) else [value])
        if isinstance(v, str)
    }
    concepts = [c for c in concepts if c.id in used or c.scheme not in _CLAIM_SCHEMES]
    return Extraction(extraction.extractor, kept, entities, extraction.model,
                      extraction.prompt_hash, problems, concepts)  # fmt: skip


_CLAIM_KINDS = {t.kind for t in CLAIM_TYPES_BY_NAME.values()}
# Schemes whose concepts claims name: a proposal no kept claim names is dropped with it.
_CLAIM_SCHEMES = {f.scheme for t in CLAIM_TYPES_BY_NAME.values() for f in t.fields if f.scheme}


def _check(article: Article, source: SourceText, kinds: dict[str, str],
           claim: DraftClaim) -> str | None:  # fmt: skip
    claim_type = CLAIM_TYPES_BY_NAME.get(claim.type)
    if claim_type is None:
        return f"'{claim.type}' is no claim type"
    for required in claim_type.fields:
        if required.required and required.key not in claim.fields:
            return f"it lacks the required '{required.key}'"
    if not claim_type.label_template and not claim.fields.get("label"):
        return "it lacks the required 'label'"
    for key, value in list(claim.fields.items()):
        spec = claim_type.field(key)
        if spec is None:
            return f"a {claim.type} takes no '{key}'"
        problem = _check_value(article, kinds, claim_type, spec, value)
        if problem:
            return problem
        if spec.kind is ValueKind.CONCEPT:
            claim.fields[key] = _concept_slugs(article, spec, value)
    located, reason = _evidence(source, claim.evidence)
    if reason:
        return reason
    if not located:
        return "it cites no evidence"
    claim.evidence = located
    words = claim.fields.get("words")
    if (
        claim_type.quotation
        and isinstance(words, str)
        and not any(words in quote for quote, _ in located)
    ):
        return f"its words {_short(words)} are not inside its evidence"
    return None


def _check_value(article: Article, kinds: dict[str, str], claim_type: ClaimType, spec: Field,
                 value: FieldValue) -> str | None:  # fmt: skip
    if spec.kind is ValueKind.DEADLINE:
        if isinstance(value, dict) and set(value) == {"by", "wording"}:
            return _check_value(article, kinds, claim_type,
                                Field("by", "", ValueKind.WHEN, ""), value["by"])  # fmt: skip
        if not isinstance(value, dict) or set(value) != {"within", "from", "wording"}:
            return "its deadline is neither {within, from, wording} nor {by, wording}"
        return _check_value(article, kinds, claim_type,
                            Field("from", "", ValueKind.REF, "", targets=ANCHORS),
                            value["from"]) or _check_value(
            article, kinds, claim_type, Field("within", "", ValueKind.DURATION, ""),
            value["within"])  # fmt: skip
    items = value if isinstance(value, list) else [value]
    if spec.kind is ValueKind.QUANTITY:
        for item in items:
            if not isinstance(item, dict) or set(item) - set(QUANTITY_KEYS) or \
                    not set(item) & set(QUANTITY_KEYS[:3]):  # fmt: skip
                return f"'{spec.key}' takes {{value, unit, of}} blocks"
            unit = item.get("unit")
            if isinstance(unit, str) and article.concepts.find("unit", unit) is None:
                return f"'{spec.key}' has the unit {unit!r}, which is no concept of the unit scheme"
        return None
    if isinstance(value, list) and not spec.many:
        return f"'{spec.key}' takes one value"
    for item in items:
        if not isinstance(item, str) or not item.strip():
            return f"'{spec.key}' has an empty or nested value"
        if spec.kind is ValueKind.REF:
            if item not in kinds:
                return (
                    f"'{spec.key}' names {item!r}, which is neither in the registry nor "
                    "proposed nor drafted (an invented entity?)"
                )
            if spec.targets and kinds[item] not in spec.targets:
                return f"'{spec.key}' names {item!r}, a {kinds[item]}, not a " + \
                    " or ".join(spec.targets)  # fmt: skip
        if spec.kind is ValueKind.CONCEPT and article.concepts.find(spec.scheme, item) is None:
            return f"'{spec.key}' has {item!r}, which is no concept of the {spec.scheme} scheme"
        parse = _PARSERS.get(spec.kind)
        if parse is not None:
            try:
                parse(item)
            except BadValue as exc:
                return f"'{spec.key}' has a bad value: {exc}"
    return None


_PARSERS: dict[ValueKind, Callable[[str], object]] = {
    ValueKind.DATE: parse_date, ValueKind.WHEN: parse_when, ValueKind.DURATION: parse_duration,
    ValueKind.INTEGER: parse_positive_integer, ValueKind.BOOLEAN: parse_boolean,
}  # fmt: skip


def _concept_slugs(article: Article, spec: Field, value: FieldValue) -> FieldValue:
    def slug(name: str) -> str:
        concept = article.concepts.find(spec.scheme, name)
        return str(concept).rsplit("/", 1)[-1] if concept is not None else name

    if isinstance(value, list):
        return [slug(v) for v in value if isinstance(v, str)]
    return slug(str(value))


def _refs(claim: DraftClaim) -> list[tuple[str, str]]:
    claim_type = CLAIM_TYPES_BY_NAME[claim.type]
    refs = []
    for key, value in claim.fields.items():
        spec = claim_type.field(key)
        if spec is not None and spec.kind is ValueKind.REF:
            refs += [(key, v) for v in (value if isinstance(value, list) else [value])
                     if isinstance(v, str)]  # fmt: skip
        if isinstance(value, dict) and "from" in value:
            refs.append((key, value["from"]))
    return refs


def _short(text: str, size: int = 60) -> str:
    return repr(text if len(text) <= size else text[: size - 1] + "\u2026")


Check = Callable[[DraftClaim], str | None]

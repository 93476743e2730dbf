"""Events around the talks and what caused what: context events named by the phrases
that cue them — "a drought in the summer of 2025 that led to protests" (two events, one
leading to the other), "the talks began after the Front's offensive" (an event that led
to the talks; the draft says so in a note, since "after" may be only a time), "amid
heightened tensions", "an eight-month suspension following the war" (one follows the
other) — and breaks inside a round ("walked out for four hours in protest at the
shelling of Korvan": an interruption, its length and reason, caused by the shelling)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.draft.article import DraftClaim, FieldValue
from kg.draft.dates import find_lengths
from kg.draft.ids import gist
from kg.draft.rules.draft import Draft, capitalised, clause
from kg.draft.rules.parties import delegation
from kg.draft.text import Sentence

_CAUSES = re.compile(r"\s+(?:that\s+|which\s+)?(?:led to|prompted|triggered|caused|sparked|"
                     r"resulted in|provoked)\s+", re.I)  # fmt: skip
_BEGAN_AFTER = re.compile(
    r"\b(?:talks|negotiations|process)\b[^.;]{0,60}?\b(?:began|started|were launched|opened)\b"
    r"[^.;]{0,100}?\b(?:after|following)\s+",
    re.I,
)
_RESUMED_AFTER = re.compile(r"\b(?:resumed|restarted|revived)\b[^.;]{0,40}?\bafter\s+", re.I)
_AMID = re.compile(r"\bamid\s+", re.I)
_FOLLOWING = re.compile(r"\s+following\s+", re.I)
_PROTEST = re.compile(r"\bin protest (?:at|against|over)\s+", re.I)
_NP_END = re.compile(
    r"[,;:\u2014]|\.(?:\s|$)|\s+(?:that|which|who|when|while|amid|following|after|before|"
    r"led to|prompted|triggered|caused|sparked|resulted in|provoked|including)\b"
)
_INTERRUPTION = re.compile(r"\b(?:walked out|walkout|left the (?:talks|table|room))\b", re.I)
_RELATIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("interruption", re.compile(r"\bsuspen(?:sion|ded)\b|\bimpasse\b|\bhalt(?:ed)?\b", re.I)),
    ("concurrent-tension", re.compile(r"\btensions?\b|\bprotests?\b|\bbuild-?ups?\b", re.I)),
)
_OLD_CUES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("concurrent-tension", re.compile(r"\bamid\b|\btensions?\b|\bprotests?\b", re.I)),
    ("interruption", re.compile(r"\bsuspen(?:sion|ded)\b|\bimpasse\b|\bhalt(?:ed)?\b", re.I)),
    ("background", re.compile(r"\bafter\b|\bfollowing\b|\bsince\b|\bwar\b", re.I)),
)


@dataclass(frozen=True)
class _Phrase:
    start: int
    end: int
    text: str


def _phrase(draft: Draft, sentence: Sentence, at: int) -> _Phrase | None:
    """The noun phrase that starts at ``at``: up to the next clause boundary."""
    rest = draft.article.text[at : sentence.end]
    end = _NP_END.search(rest)
    text = rest[: end.start()] if end else rest.rstrip(".")
    text = text.rstrip()
    if not 1 <= len(text.split()) <= 12 or not re.match(r"[\w'\u2019]", text):
        return None
    return _Phrase(at, at + len(text), text)


def _label(text: str) -> str:
    """ "a drought in the summer of 2025" as "Drought in the summer of 2025"."""
    text = re.sub(r"^(?:an?|the)\s+(?!\S+['\u2019]s\b)", "", text.strip())
    return capitalised(clause(text, 80))


def event(draft: Draft, sentence: Sentence, phrase: _Phrase, process: str, relation: str,
          note: str = "") -> DraftClaim:  # fmt: skip
    """The context event a phrase names (one per phrase), dated, placed and counted by
    what the phrase itself says."""
    known = draft.spans.get(("event", phrase.start, phrase.end))
    if known is not None:
        return known
    fields: dict[str, FieldValue] = {"label": _label(phrase.text)}
    dated = [d for d in draft.dates_in(sentence) if d.value and not d.deadline
             and phrase.start <= d.start < phrase.end]  # fmt: skip
    if dated:
        fields["date"], fields["date wording"] = dated[0].value or "", dated[0].wording
    places = [m for m in draft.in_sentence(sentence, "city", "place")
              if phrase.start <= m.start < phrase.end]  # fmt: skip
    if places:
        fields["location"] = places[0].entity
    actors = [m for m in draft.in_sentence(sentence, "state", "organisation", "group")
              if phrase.start <= m.start < phrase.start + 25
              and re.match(r"['\u2019]s\b", draft.article.text[m.end :])]  # fmt: skip
    if actors:
        fields["actor"] = [actors[0].entity]
    fields["context for"] = process
    fields["relation"] = relation
    relative = re.match(r",\s+(?:in which|during which|which|where|when)\b[^,;.]*",
                        draft.article.text[phrase.end : sentence.end])  # fmt: skip
    quantities = draft.quantities_in(sentence, phrase.start,
                                     phrase.end + (relative.end() if relative else 0))  # fmt: skip
    if quantities:
        fields["quantities"] = quantities
    quote = phrase.text + (relative.group() if relative else "")
    claim = draft.add(gist(phrase.text, 4), "context event", fields, (quote, phrase.start),
                      note=note)  # fmt: skip
    draft.spans[("event", phrase.start, phrase.end)] = claim
    return claim


def _ending_at(draft: Draft, end: int) -> DraftClaim | None:
    """The context event whose phrase ends at ``end``."""
    return next((c for (kind, _, last), c in draft.spans.items()
                 if kind == "event" and last == end), None)  # fmt: skip


def _led_to(cause: DraftClaim, effect: str) -> None:
    led = cause.fields.setdefault("led to", [])
    assert isinstance(led, list)
    if effect not in led:
        led.append(effect)  # type: ignore[arg-type]


def context(draft: Draft, process: str) -> None:
    """Context events by their cue phrases, then dated sentences no claim cites yet."""
    for sentence in draft.article.sentences:
        for match in _BEGAN_AFTER.finditer(sentence.text):
            phrase = _phrase(draft, sentence, sentence.start + match.end())
            if phrase is not None:
                _led_to(event(draft, sentence, phrase, process, "background",
                              note="The text says the talks began after it; keep 'led to' "
                              "only if it caused them."), process)  # fmt: skip
        for pattern, relation in ((_RESUMED_AFTER, "background"), (_AMID, "concurrent-tension")):
            for match in pattern.finditer(sentence.text):
                phrase = _phrase(draft, sentence, sentence.start + match.end())
                if phrase is not None:
                    event(draft, sentence, phrase, process, _relation(phrase.text, relation))
        for match in _CAUSES.finditer(sentence.text):
            _cause_and_effect(draft, sentence, match, process)
        for match in _FOLLOWING.finditer(sentence.text):
            _follows(draft, sentence, match, process)
    _dated(draft, process)


def _cause_and_effect(draft: Draft, sentence: Sentence, match: re.Match[str],
                      process: str) -> None:  # fmt: skip
    """ "a drought in the summer of 2025 that led to protests in Valdonian river towns":
    the event before the cue led to the one after it."""
    end = sentence.start + match.start()
    cause = _ending_at(draft, end)
    if cause is None:
        phrase = _phrase(draft, sentence, sentence.start + _phrase_start(sentence, match.start()))
        if phrase is None or phrase.end != end:
            return
        cause = event(draft, sentence, phrase, process, _relation(phrase.text, "background"))
    effect = _phrase(draft, sentence, sentence.start + match.end())
    if effect is not None:
        relation = str(cause.fields.get("relation", "background"))  # as its cause
        _led_to(cause, event(draft, sentence, effect, process, relation).id)


def _relation(text: str, default: str) -> str:
    return next((name for name, cue in _RELATIONS if cue.search(text)), default)


def _phrase_start(sentence: Sentence, until: int) -> int:
    """Where the phrase ending at ``until`` starts: after the last preposition or clause
    boundary before it."""
    before = sentence.text[:until]
    cut = max((m.end() for m in re.finditer(
        r"[,;:\u2014]\s*|\b(?:after|following|since|amid|over|by|of|at)\s+(?=(?:an?|the)\s)",
        before)), default=0)  # fmt: skip
    return cut


def _follows(draft: Draft, sentence: Sentence, match: re.Match[str], process: str) -> None:
    """ "an eight-month suspension following the Iran-Israel war": the later event
    follows the earlier, when the first is an event already drafted."""
    later = _ending_at(draft, sentence.start + match.start())
    if later is None:
        return
    phrase = _phrase(draft, sentence, sentence.start + match.end())
    if phrase is not None:
        earlier = event(draft, sentence, phrase, process, _relation(phrase.text, "background"))
        later.fields.setdefault("follows", earlier.id)


def _dated(draft: Draft, process: str) -> None:
    """A dated sentence that no claim cites yet, with a cue to how it relates to the
    talks: an event of that date, for the reviewer to name."""
    rounds = {q for c in draft.of_type("round") for q, _ in c.evidence}
    for sentence in draft.article.sentences:
        if any(q in sentence.text or sentence.text in q for c in draft.claims
               for q, _ in c.evidence) or sentence.text in rounds:  # fmt: skip
            continue
        dated = [d for d in draft.dates_in(sentence) if d.value and not d.deadline]
        relation = next((name for name, cue in _OLD_CUES if cue.search(sentence.text)), None)
        if not dated or relation is None:
            continue
        date = dated[0]
        draft.add(f"event {date.wording}", "context event",
                  {"label": f"Event of {date.wording}", "date": date.value or "",
                   "date wording": date.wording, "context for": process, "relation": relation},
                  sentence, note="Label it after what happened.")  # fmt: skip


def interruptions(draft: Draft, process: str) -> None:
    """ "the Front's delegation walked out for four hours in protest at the shelling of
    the village of Korvan": an interruption of the round, by the delegation, its length,
    its reason, and the event that caused it."""
    latest = draft.latest_round()
    if latest is None:
        return
    for sentence in draft.article.sentences:
        match = _INTERRUPTION.search(sentence.text)
        if match is None:
            continue
        at = sentence.start + match.start()
        agents = [a for a in draft.in_sentence(sentence, "state", "organisation") if a.end <= at]
        fields: dict[str, FieldValue] = {"label": "", "part of": latest.id}
        if draft.concept("action-type", "walk-out"):
            fields["action"] = "walk-out"
        by = ""
        if agents:
            party = agents[-1].entity
            delegated = "delegation" in draft.article.text[agents[-1].end : at]
            by = delegation(draft, party, latest.id, sentence).id if delegated else party
            fields["by"] = [by]
        fields["label"] = f"Walkout{' of the ' + draft.label(by) if by else ''}"
        lengths = [n for n in find_lengths(sentence) if n.start > at and n.start - at < 40]
        if lengths:
            fields["duration"], fields["duration wording"] = lengths[0].duration, lengths[0].wording
        protest = _PROTEST.search(sentence.text, match.end())
        reason = None
        if protest:
            reason = _phrase(draft, sentence, sentence.start + protest.end())
            if reason is not None:
                fields["reason"] = sentence.text[protest.start() : reason.end - sentence.start]
        claim = draft.add(str(fields["label"]), "interruption", fields, sentence)
        if reason is not None:
            _led_to(event(draft, sentence, reason, process, "concurrent-tension"), claim.id)

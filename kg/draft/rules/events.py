"""The negotiation and its rounds: one negotiation per article, named after its parties,
with the issue its talks are said to be "on"; rounds by their ordinal ("the fourth
round", and in an enumeration "the first round was held in X in September, the second
in Y in early October"), held or planned, each with the date and city of its own
clause; a round over several days gets an EDTF interval from the day the text says it
opened to the day it ended."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kg.draft.article import DraftClaim, FieldValue
from kg.draft.dates import DateMention, duration
from kg.draft.ids import gist
from kg.draft.rules.draft import REWORD, Draft, capitalised, unique
from kg.draft.text import Sentence

ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
            "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "next": 0}  # fmt: skip
ORDINAL_WORDS = {n: w for w, n in ORDINALS.items() if n}
_ORDINAL = "|".join(ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th)"
_ROUND = re.compile(rf"\b(?P<ordinal>{_ORDINAL})\s+(?:[\w-]+\s+){{0,3}}?(?:round|session)\b", re.I)
# Later members of an enumeration: ", the second in Dravik ..., and the third ...".
_NEXT_IN_LIST = re.compile(rf"(?:,\s+|\s+and\s+)(?:then\s+)?the\s+(?P<ordinal>{_ORDINAL})\b", re.I)
_PLANNED = re.compile(r"\b(?:will|would|planned|scheduled|expected|due|no (?:specific )?date)\b")
_TALKS = re.compile(r"\b(?:talks|negotiations?)\b", re.IGNORECASE)
_TALKS_ON = re.compile(r"\b(?:talks|negotiations)\s+(?:on|over|about)\s+(?P<issue>[^,;.]+)",
                       re.IGNORECASE)  # fmt: skip
_ISSUE_END = re.compile(
    r"\s+(?:on|in|at|with|after|before|held|hosted|mediated|ended|between|since|from|during)\b"
    r"|\s+(?:last|this|next)\b"
)
_AGREEMENT_ON = re.compile(
    r"\b(?:agreement|accord|memorandum(?: of understanding)?|deal|treaty)\s+on\s+(?:an?\s+|the\s+)?"
    r"(?P<issue>[a-z][a-z -]+?)(?=\s+(?:in|on|at|with|and|to)\b|[,;.]|$)"
)
# A state or organisation that mediates, hosts or guarantees talks is not a party to them.
_NOT_PARTY_BEFORE = re.compile(r"\bby\s+(?:the\s+)?$")
_NOT_PARTY_AFTER = re.compile(r"^\s+(?:mediating|hosting|as (?:a |the )?(?:mediator|host))\b")
_ANAPHORA = re.compile(
    r"^(?:The|These|This|Its|It)\b[^,.]{0,30}?\b(?:talks|round|meeting|session|negotiations)?"
    r"\s*(?:were|was|is|are|marked)\b",
    re.I,
)
# Words between a round's ordinal and a date that make the date another event's.
_OTHER_EVENT = re.compile(r"\b(?:after|following|since|began|started|begun|when|before|amid)\b")
_OPENED = re.compile(
    r"\b(?:round|talks|meeting|negotiations|it|which)\b[^.]{0,20}?\b(?:opened|began|started)\s+"
    r"on\s+$",
    re.IGNORECASE,
)
# "negotiations that began in March", "the talks, which started on 2 March,"
_BEGAN = re.compile(
    r"\b(?:talks|negotiations|process|dialogue)\b,?\s+(?:that|which)\s+(?:had\s+)?"
    r"(?:began|started|opened)\s+",
    re.I,
)
_PREPOSITION = re.compile(r"(?:(?:in|on|during)\s+)?")
_DAYS_OF = re.compile(
    r"\b(?:after|at the end of|following)\s+(?P<length>\w+(?:-\w+)?\s+days?)\s+of\s+"
    r"(?:talks|negotiations|meetings)\b",
    re.I,
)


def negotiation(draft: Draft) -> str | None:
    """One negotiation per article, named after the parties it mentions first with talks;
    the states or organisations that mediate or host it are not parties."""
    for sentence in draft.article.sentences:
        if not _TALKS.search(sentence.text):
            continue
        mentions = draft.in_sentence(sentence, "state", "organisation")
        text = draft.article.text
        parties = unique(m.entity for m in mentions
                         if not _NOT_PARTY_BEFORE.search(text[sentence.start : m.start])
                         and not _NOT_PARTY_AFTER.match(text[m.end : sentence.end]))  # fmt: skip
        if not parties:
            continue
        label = "\u2013".join(draft.label(p) for p in parties[:2]) + " talks"
        fields: dict[str, FieldValue] = {"label": label}
        issues = _issues(draft, sentence)
        if issues:
            fields["issues"] = issues
        year = draft.article.date.isoformat()[:4] if draft.article.date else ""
        claim = draft.add(label, "negotiation", fields, sentence, qualifiers=[year])
        if len(parties) >= 2:
            for party in parties[:2]:
                draft.add(f"{party} negotiating party", "participation",
                          {"agent": party, "event": claim.id, "roles": ["negotiating-party"]},
                          sentence, qualifiers=[year])  # fmt: skip
        return claim.id
    return None


def _issues(draft: Draft, sentence: Sentence) -> list[str]:
    """The issue of "talks on sharing the waters of the Seren River" (a concept of the
    issue scheme, or a proposed one), and of "a memorandum on a ceasefire" (known ones)."""
    found = []
    for match in _TALKS_ON.finditer(sentence.text):
        words = _ISSUE_END.split(match.group("issue"))[0].strip()
        if len(words.split()) < 1 or any(d.wording in words for d in draft.dates_in(sentence)):
            continue
        found.append(draft.concept("issue", words) or draft.propose_concept(
            "issue", words, f"What the talks are about, as the article words it: {words}.",
            (words, sentence.start + match.start("issue")), note=REWORD))  # fmt: skip
    for match in _AGREEMENT_ON.finditer(sentence.text):
        known = draft.concept("issue", match.group("issue"))
        if known:
            found.append(known)
    return unique(found)


@dataclass
class _Round:
    number: int
    status: str
    quotes: list[tuple[str, int]]  # the words that name it, and where they start
    fields: dict[str, FieldValue] = field(default_factory=dict)
    date: DateMention | None = None
    city: str | None = None
    anaphoric: bool = False  # "The talks were the second round": the article's event
    note: str = ""


def rounds(draft: Draft, process: str) -> list[DraftClaim]:
    """Rounds by their ordinals, in order, each following the one before."""
    found: dict[int, _Round] = {}
    for sentence in draft.article.sentences:
        for number, start, end in _ordinals(sentence):
            if number == 0:
                number = max(found, default=0) + 1
            text = sentence.text[start:end]
            quote = (text, sentence.start + start)
            if number in found:
                found[number].quotes.append(quote)
                continue
            planned = bool(_PLANNED.search(text)) and number > max(
                (n for n, r in found.items() if r.status == "held"), default=0
            )
            round_ = _Round(number, "planned" if planned else "held", [quote])
            at, until = sentence.start + start, sentence.start + end
            round_.date = _own_date(draft, sentence, at, until, planned)
            cities = [c for c in draft.in_sentence(sentence, "city") if at <= c.start < until]
            round_.city = cities[0].entity if cities else None
            round_.anaphoric = bool(_ANAPHORA.match(sentence.text)) and start == 0
            found[number] = round_
    _first_round(draft, found)
    _main_round(draft, found)
    claims: list[DraftClaim] = []
    places = [r.city for r in found.values() if r.city]
    process_label = draft.label(process)
    for number in sorted(found):
        round_ = found[number]
        fields: dict[str, FieldValue] = {"part of": process, "number": str(number),
                                         "status": round_.status}  # fmt: skip
        if round_.date and round_.date.value:
            fields["date"], fields["date wording"] = round_.date.value, round_.date.wording
        fields.update(round_.fields)
        if round_.city:
            fields["city"] = round_.city
        ordinal = ORDINAL_WORDS.get(number, f"round {number}")
        place = f" ({draft.label(round_.city)})" if round_.city else ""
        expected = " (expected)" if round_.status == "planned" else ""
        label = f"{capitalised(ordinal)} round of the {process_label}{place}{expected}"
        if round_.city and places.count(round_.city) == 1:
            name, qualifiers = f"{draft.label(round_.city)} round", [str(number), _year(fields)]
        elif round_.city:
            name, qualifiers = f"{draft.label(round_.city)} round {number}", [_year(fields)]
        else:
            name, qualifiers = f"{gist(process_label, 2)} round {number}", [_year(fields)]
        quotes = list(dict.fromkeys(round_.quotes))
        claim = draft.add(name, "round", {"label": label, **fields}, *quotes,
                          note=round_.note, qualifiers=qualifiers)  # fmt: skip
        if claims and int(str(claims[-1].fields["number"])) == number - 1:
            claim.fields["follows"] = claims[-1].id
        claims.append(claim)
    return claims


def _year(fields: dict[str, FieldValue]) -> str:
    return str(fields.get("date", ""))[:4]


def _number(ordinal: str) -> int:
    """ "fourth" or "4th" as 4; "next" as 0 (the one after the last)."""
    ordinal = ordinal.lower()
    return int(ordinal[:-2]) if ordinal[:1].isdigit() else ORDINALS[ordinal]


def _ordinals(sentence: Sentence) -> list[tuple[int, int, int]]:
    """(number, start, end) of each round the sentence names by its ordinal, with the
    part of the sentence that is about it: the whole sentence, or in an enumeration each
    member's clause."""
    match = _ROUND.search(sentence.text)
    if match is None:
        return []
    first = _number(match.group("ordinal"))
    later = [m for m in _NEXT_IN_LIST.finditer(sentence.text, match.end())]
    if not later:
        return [(first, 0, len(sentence.text))]
    bounds = [0, *(m.start() for m in later), len(sentence.text)]
    numbers = [first, *(_number(m.group("ordinal")) for m in later)]
    found = []
    for number, start, end in zip(numbers, bounds, bounds[1:], strict=False):
        text = sentence.text[start:end]
        lead = len(text) - len(re.sub(r"^(?:,\s+|\s+and\s+)", "", text))
        found.append((number, start + lead, end))
    return found


def _own_date(draft: Draft, sentence: Sentence, at: int, until: int, planned: bool
              ) -> DateMention | None:  # fmt: skip
    """The round's date in its clause: not a deadline, not the start of the negotiation
    ("negotiations that began in March"), and for a planned round one ahead."""
    base = draft.article.date
    for date in draft.dates_in(sentence):
        if not (at <= date.start < until) or date.deadline or not date.value:
            continue
        if _OTHER_EVENT.search(draft.article.text[at : date.start]):
            continue
        if planned and base and not _ahead(date.value, base):
            continue
        if "no date" in sentence.text or "no specific date" in sentence.text.lower():
            continue
        return date
    return None


def _first_round(draft: Draft, found: dict[int, _Round]) -> None:
    """The first round, when the article counts a later one and says when (and where)
    the talks began: "the second round of negotiations that began in March in
    Aldenport" — the talks began with their first round."""
    if 1 in found or not any(r.status == "held" for r in found.values()):
        return
    text = draft.article.text
    for sentence in draft.article.sentences:
        for match in _BEGAN.finditer(sentence.text):
            at = sentence.start + match.end()
            date = next((d for d in draft.dates_in(sentence) if d.value and not d.deadline and
                         at <= d.start and _PREPOSITION.fullmatch(text[at : d.start])),
                        None)  # fmt: skip
            if date is None:
                continue
            end = date.end
            city = next((c for c in draft.in_sentence(sentence, "city") if c.start >= end
                         and re.fullmatch(r"\s+in\s+", text[end : c.start])), None)  # fmt: skip
            end = city.end if city else end
            start = sentence.start + match.start()
            round_ = _Round(1, "held", [(text[start:end], start)], date=date)
            round_.city = city.entity if city else None
            round_.note = ("The text says when (and where) the talks began; keep this round only "
                           "if they began with a round.")  # fmt: skip
            found[1] = round_
            return


def _ahead(value: str, base: dt.date) -> bool:
    return value[:7] > base.isoformat()[:7] or value[:4] > base.isoformat()[:4]


def _main_round(draft: Draft, found: dict[int, _Round]) -> None:
    """The round the article reports: dated by the article's date when its sentence only
    refers back to it ("The talks were the second round"), and over several days when
    the text says it opened on an earlier day, or lasted several days."""
    lead = _lead_date(draft)
    held = [r for r in found.values() if r.status == "held"]
    main = next((r for r in held if r.date is not None and lead is not None
                 and r.date.value == lead.value), None)  # fmt: skip
    if main is None and lead is not None:
        main = next((r for r in held if r.anaphoric and r.date is None), None)
        if main is not None:
            main.date = lead
            sentence = draft.sentence_of(lead.start)
            assert sentence is not None
            main.quotes.insert(0, (sentence.text, sentence.start))
            cities = draft.in_sentence(sentence, "city")
            main.city = main.city or (cities[0].entity if cities else None)
    if main is None or main.date is None or main.date.day is None:
        return
    last = main.date.day
    for sentence in draft.article.sentences:
        for date in draft.dates_in(sentence):
            day = date.day
            if day is None or not (last - dt.timedelta(days=14) <= day < last):
                continue
            if _OPENED.search(draft.article.text[sentence.start : date.start]):
                main.fields["date"] = f"{day.isoformat()}/{last.isoformat()}"
                main.fields["date wording"] = f"{date.wording} to {main.date.wording}"
                main.quotes.append((draft.article.text[sentence.start : date.end], sentence.start))
                return
    for sentence in draft.article.sentences:
        if not sentence.start <= main.date.start < sentence.end:
            continue
        match = _DAYS_OF.search(sentence.text)
        length = match and duration(*match.group("length").rsplit(" ", 1))
        if match and length and length.endswith("D") and length != "P1D":
            first = last - dt.timedelta(days=int(length[1:-1]) - 1)
            main.fields["date"] = f"{first.isoformat()}/{last.isoformat()}"
            main.note = f"The first day is counted back from '{match.group()}'."


def _lead_date(draft: Draft) -> DateMention | None:
    """The date the article's events are dated by (the first full date it states)."""
    if draft.article.date is None:
        return None
    iso = draft.article.date.isoformat()
    return next((d for d in draft.dates if d.value == iso and not d.deadline), None)

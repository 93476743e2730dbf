"""What the talks produce and what the parties want: positions (a stance cue with an
issue the schemes know, or the object of the cue proposed as a new issue), commitments
("Kestria promised to submit ... by the end of March": a deadline by a date; "the
government will release 200 detainees within 72 hours of the signing": a count and a
deadline counted from the signing), outcomes where the verbs say so ("agreed to",
"signed", "it was decided"), the agreements signed, and negotiating moves the action
scheme names ("declared a ceasefire", "accepted Lumeria's offer to mediate")."""

from __future__ import annotations

import re

from kg.draft.article import DraftClaim, FieldValue
from kg.draft.dates import DateMention
from kg.draft.ids import gist
from kg.draft.rules.draft import REWORD, Draft, capitalised, clause, unique
from kg.draft.rules.parties import speakers_of
from kg.draft.text import Sentence

_STANCES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("insists-on", re.compile(r"\binsists?(?:\s+on)?\b|\binsisted(?:\s+on)?\b")),
    ("excludes", re.compile(r"\bexclud(?:es|ing|ed)\b|\bruled? out\b")),
    ("rejects", re.compile(r"\breject(?:s|ed)?\b|\bwill not accept\b|\brefuses?\b")),
    ("demands", re.compile(r"\bdemand(?:s|ed)?\b|\bpress(?:es)? for\b|\bcalls? for\b")),
    ("proposes", re.compile(r"\bpropos(?:es|ed)\b")),
    ("accepts", re.compile(r"\baccept(?:s|ed)\b")),
)
_DETERMINERS = re.compile(r"^(?:a|an|the|any|its|their|his|her|some)\s+", re.I)
_NP_END = re.compile(r"\s+(?:for|at|in|on|to|from|with|during|by|before|after|that|which|"
                     r"of\s+\d)\b|\s+of\s+(?=\d)|[,;:.]")  # fmt: skip
_DEMAND_OF = re.compile(r"(?P<owner>\S.*?)['\u2019]s demand for\s+(?P<object>[^,;.]+)")
_SUBJECT_GAP = re.compile(r"^\s*(?:,[^,]{0,60},\s*)?$")
_COMMITS = re.compile(
    r"\s*(?:will|would|promised to|pledged to|undertook to|agreed to|committed to|"
    r"committed itself to|is to|are to)\s+(?P<verb>[a-z]+)\b"
)
_NOT_COMMITTING = frozenset(
    ["be", "have", "press", "continue", "need", "remain", "say", "tell", "not", "also", "take"]
)
_SAME_GROUP = re.compile(r"\b(?:both sides|the two sides|the parties|both parties)\s*$", re.I)
_AGREED_TO = re.compile(r"\bagreed (?:to|on)\s+(?P<what>[^,;.]+)")
_DECIDED = re.compile(r"\b(?:it was decided|they decided|decided) that\s+(?P<what>[^;.]+)", re.I)
_REACHED = re.compile(
    r"\breached (?:an?\s+)?[\"\u201c]?(?P<what>(?:[\w-]+\s+){0,3}?"
    r"(?:agreement|understanding|deal|consensus)\s+on\s+[^,;.\"\u201d]+)"
)
_SIGNED = re.compile(
    r"\bsigned\s+(?P<what>(?:an?|the)\s+(?:[\w-]+\s+){0,3}?"
    r"(?:memorandum|agreement|accord|treaty|declaration|deal)"
    r"(?:\s+(?:of|on)\s+(?:an?\s+)?[a-z][\w -]*?)?)(?=\s+(?:in|at|on|with)\b|[,;.]|$)"
)
_SIGNED_BY = re.compile(r"\bsigned by\b")
_GUARANTEES = re.compile(r"\b(?:guarantees|will guarantee|is to guarantee|guaranteed)\s+the\s+"
                         r"(?:agreement|memorandum|accord|deal|treaty)\b")  # fmt: skip
_UNDER_TERMS = re.compile(
    r"\b(?:under its terms|under the (?:memorandum|agreement|accord))\b", re.I
)
_OF_SIGNING = re.compile(r"^\s+of\s+(?:the\s+)?(?P<what>signing|agreement|memorandum|accord)\b")
_ACTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("declare-ceasefire", re.compile(r"\bdeclared? an?\s+(?:[\w-]+\s+)?(?:ceasefire|truce)\b")),
    ("accept-mediation", re.compile(r"\baccepted\s+[^.;]{0,40}?(?:offer to mediate|mediation)\b")),
    ("reject-mediation", re.compile(r"\b(?:rejected|refused)\s+[^.;]{0,40}?mediation\b")),
    ("halt-negotiations", re.compile(r"\b(?:suspended|broke off|halted)\s+(?:the\s+)?"
                                     r"(?:talks|negotiations)\b")),
    ("release-persons", re.compile(r"\breleased\s+\d[\d,]*\s+(?:detainees|prisoners|hostages)\b")),
)  # fmt: skip


def positions(draft: Draft, process: str) -> None:
    for sentence in draft.article.sentences:
        holders = draft.in_sentence(sentence, "state", "group", "anonymous", "person",
                                    "organisation")  # fmt: skip
        demand = _DEMAND_OF.search(sentence.text)
        if demand:
            owner = [h for h in holders if h.start < sentence.start + demand.end("owner")]
            if owner:
                at = sentence.start + demand.start("object")
                _position(draft, sentence, owner[-1].entity, "demands", process,
                          demand.group("object"), at)  # fmt: skip
        if not holders or holders[0].start - sentence.start > 12:
            continue  # the holder is the sentence's subject
        for stance, cue in _STANCES:
            match = cue.search(sentence.text)
            if match is None:
                continue
            issues = _known_issues(draft, sentence.text)
            if issues:
                for issue in issues:
                    draft.add(f"{holders[0].entity} {stance} {issue}", "position",
                              {"holder": holders[0].entity, "issue": issue, "stance": stance,
                               "in": process}, sentence)  # fmt: skip
            else:
                rest = sentence.text[match.end() :]
                if demand and demand.start() >= match.end():
                    rest = demand.group("object")
                at = sentence.start + sentence.text.find(rest, match.end())
                _position(draft, sentence, holders[0].entity, stance, process, rest, at)
            break


def _known_issues(draft: Draft, text: str) -> list[str]:
    """Issues of the schemes named in ``text`` by their slug words or labels."""
    names: dict[str, str] = {}
    for name, concept in draft.article.concepts.by_scheme.get("issue", {}).items():
        names[name.replace("-", " ")] = str(concept).rsplit("/", 1)[-1]
    for proposed in draft.concepts:
        if proposed.scheme == "issue":
            names[proposed.label.lower()] = proposed.id
    named = [slug for name, slug in names.items()
             if len(name) > 3 and re.search(rf"\b{re.escape(name)}\b", text, re.I)]  # fmt: skip
    return unique(named)


def _position(draft: Draft, sentence: Sentence, holder: str, stance: str, process: str,
              rest: str, at: int) -> None:  # fmt: skip
    """A position on the object of the stance cue ("insists on a guaranteed minimum flow
    of 40 cubic metres per second"), whose head words are proposed as a new issue."""
    obj = rest.strip()
    at += len(rest) - len(rest.lstrip())  # where the object starts
    if not obj or obj.lower().startswith(("that", "to ", "any ")) or obj[0].isupper():
        return
    head = _DETERMINERS.sub("", _NP_END.split(obj)[0].strip())
    if not 1 <= len(head.split()) <= 5:
        return
    wording = re.split(r"[,;]", obj)[0].rstrip(". ")
    issue = draft.concept("issue", head) or draft.propose_concept(
        "issue", head, f"What the parties take positions on, as the article words it: {wording}.",
        (wording, at), note=REWORD)  # fmt: skip
    fields: dict[str, FieldValue] = {"holder": holder, "issue": issue, "stance": stance,
                                     "in": process, "wording": wording}  # fmt: skip
    quantities = draft.quantities_in(sentence, at, at + len(wording))
    if quantities:
        fields["quantities"] = quantities
    quote = sentence if len(sentence.text) < 200 else \
        (draft.article.text[sentence.start : at + len(wording)], sentence.start)  # fmt: skip
    draft.add(f"{holder} {stance} {issue}", "position", fields, quote)


def commitments(draft: Draft) -> None:
    """An agent, or both sides, that will, promised to or agreed to do something."""
    for sentence in draft.article.sentences:
        for cue in re.finditer(r"\b(?:will|would|promised|pledged|undertook|agreed|committed|"
                               r"is to|are to)\b", sentence.text):  # fmt: skip
            match = _COMMITS.match(sentence.text, cue.start() - 1 if cue.start() else 0)
            if match is None or match.group("verb") in _NOT_COMMITTING:
                continue
            by = _committed(draft, sentence, sentence.start + cue.start())
            if by:
                _commitment(draft, sentence, by, sentence.start + match.start("verb"))


def _committed(draft: Draft, sentence: Sentence, at: int) -> list[str]:
    """Who is the subject of the verb at ``at``: the agent right before it, or both sides."""
    before = draft.article.text[sentence.start : at]
    if _SAME_GROUP.search(before):
        return speakers_of(draft, "parties")
    agents = [a for a in draft.in_sentence(sentence, "state", "person", "organisation",
                                           "group", "anonymous") if a.end <= at]  # fmt: skip
    if agents and _SUBJECT_GAP.match(draft.article.text[agents[-1].end : at]):
        return [agents[-1].entity]
    return []


def _commitment(draft: Draft, sentence: Sentence, by: list[str], at: int) -> None:
    text = draft.article.text
    end = at + len(re.split(r"[;,]\s+(?:and|but|while|which)\b|[;.]\s|[;.]$|,\s+(?=[a-z]+ed\b)",
                            text[at : sentence.end])[0])  # fmt: skip
    action = text[at:end].strip()
    if len(action.split()) < 2:
        return
    fields: dict[str, FieldValue] = {
        "label": f"{' and '.join(draft.label(b) for b in by)} to {clause(action, 70)}",
        "by": by, "action": capitalised(action.rstrip(".")) + ".",
    }  # fmt: skip
    deadline = next((d for d in draft.dates_in(sentence) if d.deadline and at <= d.start < end),
                    None)  # fmt: skip
    note = ""
    if deadline is not None:
        value, note = _deadline(draft, deadline)
        if value:
            fields["deadline"] = value
    agreement = _agreement_of(draft, sentence)
    latest = draft.latest_round()
    if agreement or latest:
        fields["of"] = agreement or (latest.id if latest else "")
    quantities = draft.quantities_in(sentence, at, end)
    if quantities:
        fields["quantities"] = quantities
    who = " ".join(draft.label(b).split()[-1] for b in by[:2])
    draft.add(f"{who} to {gist(action, 3)}", "commitment", fields, sentence, note=note)


def _deadline(draft: Draft, date: DateMention) -> tuple[dict[str, str] | None, str]:
    """A deadline field: ``{by, wording}``, or ``{within, from, wording}`` counted from the
    signing of the agreement (when the text says "of the signing") or from the round."""
    if date.value and not date.within:
        return {"by": date.value, "wording": date.wording}, ""
    of = _OF_SIGNING.match(draft.article.text[date.end :])
    wording = date.wording + (of.group() if of else "")
    anchors = [c for t in ("agreement", "outcome") for c in draft.of_type(t) if _full_day(c)]
    anchors = anchors if of else []
    latest = draft.latest_round()
    anchor = anchors[0] if anchors else (latest if latest is not None and _full_day(latest)
                                         else None)  # fmt: skip
    if anchor is None or date.within is None:
        return None, f"The deadline is worded '{wording}'; no drafted claim has a full date to " \
            "count it from."  # fmt: skip
    return {"within": date.within, "from": anchor.id, "wording": wording}, ""


def _full_day(claim: DraftClaim) -> bool:
    """Whether a claim's date ends on a full day (a deadline can be counted from it)."""
    return bool(re.search(r"\d{4}-\d\d-\d\d$", str(claim.fields.get("date", ""))))


def _agreement_of(draft: Draft, sentence: Sentence) -> str | None:
    agreements = draft.of_type("agreement")
    return agreements[-1].id if agreements and _UNDER_TERMS.search(sentence.text) else None


def outcomes(draft: Draft) -> None:
    """Outcomes the verbs state: signed agreements, "agreed to", "it was decided that",
    "reached an agreement on"."""
    latest = draft.latest_round()
    if latest is None:
        return
    for sentence in draft.article.sentences:
        signed = _SIGNED.search(sentence.text)
        if signed:
            _signed(draft, sentence, signed, latest)
            continue
        for pattern in (_AGREED_TO, _DECIDED, _REACHED):
            match = pattern.search(sentence.text)
            if match is None:
                continue
            what = match.group("what").strip().strip('"\u201c\u201d')
            parties = [p for p in speakers_of(draft, "parties")]
            label = re.sub(r"[\"\u201c\u201d]", "", what)
            if pattern is _AGREED_TO:
                label = f"Agreement {match.group().split()[1]} {label}"
            fields: dict[str, FieldValue] = {
                "label": capitalised(clause(label, 80)), "of": latest.id,
                "description": clause(sentence.text, 300),
            }  # fmt: skip
            if parties:
                fields["parties"] = parties
            draft.add(f"outcome {gist(what, 4)}", "outcome", fields, sentence)
            break
    for sentence in draft.article.sentences:
        if _SIGNED_BY.search(sentence.text):
            _signatories(draft, sentence)
    guarantors(draft)


def _signed(draft: Draft, sentence: Sentence, match: re.Match[str], latest: DraftClaim) -> None:
    """ "X and Y signed a memorandum of understanding on a ceasefire in Aldenport on
    Sunday, 10 May 2026": the agreement, and the outcome that produced it."""
    what = match.group("what")
    name = capitalised(_DETERMINERS.sub("", what))
    signers = [a.entity for a in draft.in_sentence(sentence, "state", "organisation", "person")
               if a.start < sentence.start + match.start()]  # fmt: skip
    dated = [d for d in draft.dates_in(sentence) if d.value and not d.deadline]
    cities = [c for c in draft.in_sentence(sentence, "city") if c.start > sentence.start +
              match.start()]  # fmt: skip
    fields: dict[str, FieldValue] = {"label": capitalised(what.split(" ", 1)[1])
                                     if " " in what else name}  # fmt: skip
    outcome: dict[str, FieldValue] = {"label": f"{name} signed", "of": latest.id,
                                      "description": clause(sentence.text, 300)}  # fmt: skip
    if unique(signers):
        outcome["parties"] = unique(signers)
    if dated:
        fields["date"] = outcome["date"] = dated[0].value or ""
    produced = draft.add(f"{gist(name, 3)} signed", "outcome", outcome,
                         (sentence.text[: match.end()], sentence.start))  # fmt: skip
    if cities:
        fields["signed at"] = cities[0].entity
    fields["produced by"] = produced.id
    draft.add(gist(name, 4), "agreement", fields, sentence)


def guarantors(draft: Draft) -> None:
    """ "Lumeria guarantees the agreement": the guarantor of the agreement drafted last."""
    agreements = draft.of_type("agreement")
    for sentence in draft.article.sentences:
        match = _GUARANTEES.search(sentence.text)
        if match is None or not agreements:
            continue
        by = _committed(draft, sentence, sentence.start + match.start())
        if by:
            agreements[-1].fields["guaranteed by"] = by
            agreements[-1].evidence.append(draft.cite(sentence))


def _signatories(draft: Draft, sentence: Sentence) -> None:
    """ "The memorandum was signed by Brigadier General Oren Vask ... and by Colonel Amir
    Haddad": the people who signed the agreement drafted last."""
    agreements = draft.of_type("agreement")
    if not agreements:
        return
    at = sentence.start + sentence.text.index("signed by")
    people = unique(a.entity for a in draft.in_sentence(sentence, "person") if a.start > at)
    if people:
        agreements[-1].fields["signatories"] = people
        agreements[-1].evidence.append(draft.cite(sentence))


def actions(draft: Draft, process: str | None) -> None:
    """Negotiating moves of the action scheme, by the subject of the verb."""
    latest = draft.latest_round()
    for sentence in draft.article.sentences:
        for action, cue in _ACTIONS:
            match = cue.search(sentence.text)
            if match is None or draft.concept("action-type", action) is None:
                continue
            by = _committed(draft, sentence, sentence.start + match.start())
            if not by:
                continue
            fields: dict[str, FieldValue] = {"by": by, "action": action,
                                             "wording": match.group()}  # fmt: skip
            towards = [
                a.entity
                for a in draft.in_sentence(sentence, "state", "organisation", "person")
                if sentence.start + match.start() < a.start < sentence.start + match.end()
            ]
            if towards:
                fields["towards"] = unique(towards)
            event = process if re.search(r"\bbegan|\bstarted", sentence.text) else (
                latest.id if latest else process)  # fmt: skip
            if event:
                fields["in"] = event
            dated = [d for d in draft.dates_in(sentence) if d.value and not d.deadline]
            if dated:
                fields["date"], fields["date wording"] = dated[0].value or "", dated[0].wording
            draft.add(f"{' '.join(draft.label(b).split()[-1] for b in by[:2])} {action}",
                      "action", fields, sentence)  # fmt: skip

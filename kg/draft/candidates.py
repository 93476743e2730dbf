"""New registry candidates that are not people: the states or organisations an article
says hold talks ("Dorsa and Lenval held ..."), organisations named by what they are
("the Coastal Forum", "the Northern Water Union") and cities where something is held
("held in Tirra", "talks ... in Port Amell"). Each is proposed only from such a cue and
only when no registry name covers it; a person reviews every proposal."""

from __future__ import annotations

import re

from kg.draft.article import Article, Ids, ProposedEntity
from kg.draft.text import Mention

_NAME = r"[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,3}"
ORGANISATION_WORDS = ("Forum", "Council", "Union", "Organisation", "Organization", "Agency",
                      "Commission", "Front", "Movement", "League", "Alliance", "Committee",
                      "Authority", "Community", "Bank", "Fund", "Court", "Assembly")  # fmt: skip
_PARTIES = re.compile(
    rf"^(?:(?:Delegations|Representatives|Envoys) (?:from|of) )?(?:the )?(?P<a>{_NAME}) and "
    rf"(?:the )?(?P<b>{_NAME})\s+(?:held|began|opened|resumed|ended|concluded|signed|agreed|"
    r"met|reached|have|had|will)\b"
)
_ORGANISATION = re.compile(
    rf"(?<![\w-])(?P<name>(?:[A-Z][a-z]+ ){{1,4}}(?:{'|'.join(ORGANISATION_WORDS)}))(?![\w-])"
)
_CITY = re.compile(
    r"\b(?:held|met|meet|meeting|talks|round|signed|gathered|took place)\b[^.;:]{0,80}?"
    rf"\bin (?P<name>{_NAME})(?![\w-])(?!\s+(?:Sea|River|Ocean|Gulf|Lake|Strait|Bay|Province|"
    r"Region|Mountains|Valley|Desert))"
)
_NOT_NAMES = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Spring Summer Autumn Winter
    The A An This That These Those It They He She We""".split()  # noqa: SIM905
)


def find_candidates(article: Article, known: list[Mention], ids: Ids) -> list[ProposedEntity]:
    """Proposals for the states, organisations and cities the cues name and no registry
    name covers, in the order of the text, each with the words that name it."""
    found: dict[str, ProposedEntity] = {}
    taken = [(m.start, m.end) for m in known]

    def propose(kind: str, name: str, start: int) -> None:
        name = re.sub(r"^(?:The|A|An) ", "", name)
        start = article.text.find(name, start)
        end = start + len(name)
        if name.split()[0] in _NOT_NAMES or any(start < e and s < end for s, e in taken):
            return
        if name.lower() not in {n.lower() for n in found}:
            found[name] = ProposedEntity(ids.new(name), kind, name, seen_as=name)

    for sentence in article.sentences:
        match = _PARTIES.match(sentence.text)
        if match:
            for key in ("a", "b"):
                name = match.group(key)
                kind = "organisation" if name.split()[-1] in ORGANISATION_WORDS else "state"
                propose(kind, name, sentence.start + match.start(key))
        for match in _ORGANISATION.finditer(sentence.text):
            propose("organisation", match.group("name"), sentence.start + match.start("name"))
        for match in _CITY.finditer(sentence.text):
            name = match.group("name")
            if name not in {p.label for p in found.values()}:
                propose("city", name, sentence.start + match.start("name"))
    return list(found.values())

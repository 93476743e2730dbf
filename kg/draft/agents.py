"""Who the article names: registry entities (by label and alias), and new candidates for
the registry — people with their titles ("Deputy Prime Minister Tomas Hale", "Special
Envoy Ingrid Solberg", "legal adviser Anna Berg"), and unnamed officials ("an official
who asked not to be named")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.draft.article import Article, Ids, ProposedEntity, slug
from kg.draft.text import Mention, find_mentions, registry_names

# Words of a title before a person's name; a title is one or more of them, possibly led
# by a nationality ("Borovian", "Omani") or a registry name.
TITLE_WORDS = (
    "Foreign", "Minister", "Prime", "Deputy", "President", "Vice", "Special", "Envoy",
    "Ambassador", "Adviser", "Advisor", "Secretary", "State", "Director", "General",
    "Spokesman", "Spokeswoman", "Spokesperson", "Chancellor", "Chief", "Negotiator",
    "Commissioner", "Mediator", "Representative", "Sultan", "King", "Queen", "Emir",
    "Senior", "Legal", "Defence", "Defense", "Interior", "Water", "Energy", "Finance",
    "Senator", "Governor", "Mayor", "Head", "Lead", "Top", "National", "Security",
)  # fmt: skip
_TITLE = rf"(?:(?:{'|'.join(TITLE_WORDS)})\s+)+"
_LOWER_TITLE = (
    r"(?:(?:the\s+)?(?:legal|senior|chief|foreign|deputy|top)?\s*"
    r"(?:adviser|advisor|ambassador|envoy|negotiator|spokesman|spokeswoman|spokesperson|"
    r"mediator|minister)\s+)"
)
_WORD = r"[A-Z][a-z]+(?:-[A-Z]?[a-z]+|'[A-Z][a-z]+)?"
_NAME = rf"(?P<name>{_WORD}(?:\s+{_WORD}){{1,2}})"
_PERSON = re.compile(rf"(?P<title>(?:[A-Z][a-z]+\s+)?{_TITLE}|{_LOWER_TITLE}){_NAME}")
_ANONYMOUS = re.compile(
    r"(?P<who>(?:[Aa]n?|[Oo]ne|[Aa] senior|[Aa]nother)\s+(?:(?P<side>[A-Z][\w]+)\s+)?"
    r"(?:senior\s+)?(?:official|diplomat|source))"
    r"(?=[^.]{0,40}?(?:anonymity|not to be named|not be named|without being named))"
)


@dataclass(frozen=True)
class AgentMention(Mention):
    kind: str = ""  # the entity kind: person, state, anonymous...
    title: str = ""  # for a proposed person: the words of the title before the name


def find_agents(article: Article, ids: Ids) -> tuple[list[AgentMention], list[ProposedEntity]]:
    """Mentions of registry entities and of proposed ones, and the proposals."""
    kinds = {e.id: e.kind.name for e in article.entities}
    names = registry_names(article.entities)
    known = {name.lower() for _, name in names}
    proposed: dict[str, ProposedEntity] = {}
    extra: list[tuple[str, str]] = []
    titles: dict[str, str] = {}
    for match in _PERSON.finditer(article.text):
        name = match.group("name")
        if name.lower() in known or any(w in TITLE_WORDS for w in name.split()):
            continue
        person = proposed.get(name) or _person(name, ids, article)
        proposed[name] = person
        titles[person.id] = " ".join(match.group("title").split())
        person.seen_as = " ".join(match.group().split())
        extra += [(person.id, name), (person.id, name.split()[-1])]
        kinds[person.id] = "person"
    for match in _ANONYMOUS.finditer(article.text):
        side = _side(match.group("side"), article)
        label = f"Anonymous {match.group('side') + ' ' if side else ''}official"
        existing = next((e.id for e in article.entities if slug(e.label) == slug(label)), None)
        if existing is None:
            anonymous = ProposedEntity(ids.new(label), "anonymous", label, seen_as=match.group())
            if side:
                anonymous.fields["affiliation"] = side
            proposed[match.group() + str(match.start())] = anonymous
            existing = anonymous.id
        extra.append((existing, match.group("who")))
        kinds[existing] = "anonymous"
    mentions = [
        AgentMention(m.entity, m.start, m.end, m.text, kinds.get(m.entity, ""),
                     titles.get(m.entity, ""))
        for m in find_mentions(article.text, [*names, *extra])
    ]  # fmt: skip
    return mentions, list(proposed.values())


def _person(name: str, ids: Ids, article: Article) -> ProposedEntity:
    entity = ProposedEntity(ids.new(name), "person", name)
    surname = name.split()[-1]
    if surname != name:
        entity.fields["aliases"] = [surname]
    return entity


def _side(word: str | None, article: Article) -> str | None:
    """The registry state a nationality or a name stands for ("Omani", "US")."""
    if not word:
        return None
    for entity in article.entities:
        if entity.kind.name == "state" and word in (entity.label, *entity.aliases):
            return entity.id
    return None


def agent_kind_order(kind: str) -> int:
    """Which mention makes the likelier speaker: people first, states last."""
    order = ("person", "anonymous", "group", "organisation", "delegation", "state")
    return order.index(kind) if kind in order else len(order)


__all__ = ["AgentMention", "agent_kind_order", "find_agents", "slug"]

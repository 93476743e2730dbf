"""Who the article names: registry entities (by label and alias), people with their
titles (kg/draft/titles.py) and what the titles make of them — an office they hold, a
rank, a role in the talks — and new candidates for the registry: people, the offices
their titles name when the registry lacks them ("Borovian Deputy Prime Minister Tomas
Hale": a person, the office of Deputy Prime Minister of Borovia, and the holding), and
unnamed officials ("an official who asked not to be named")."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.draft.article import Article, Ids, ProposedEntity
from kg.draft.candidates import find_candidates
from kg.draft.ids import slug
from kg.draft.text import Mention, find_mentions, registry_names
from kg.draft.titles import Span, TitledName, find_titled_names
from kg.seeds import Entity
from kg.vocabulary import name_key

_ANONYMOUS = re.compile(
    r"(?P<who>(?:[Aa]n?|[Oo]ne|[Aa] senior|[Aa]nother)\s+(?:(?P<side>[A-Z][\w]+)\s+)?"
    r"(?:senior\s+)?(?:official|diplomat|source))"
    r"(?=[^.]{0,40}?(?:anonymity|not to be named|not be named|without being named))"
)
_GOVERNMENT = re.compile(r"['\u2019]s government\b")
_HEAD_NEGOTIATOR = re.compile(r"^(?:chief|lead|top|senior|principal|main) negotiator$", re.I)
PARTIES = ("state", "organisation")


@dataclass(frozen=True)
class AgentMention(Mention):
    kind: str = ""  # the entity kind: person, state, anonymous...


@dataclass(frozen=True)
class Title:
    """What a title says about a person: ``kind`` office (``value`` an office id), rank
    (a rank concept) or role (a role concept), for ``party`` if the text says whose."""

    person: str
    kind: str
    value: str
    party: str | None
    quote: Span  # the words that say it: "Marenland's Foreign Minister Aurelio Dassen"


@dataclass
class Agents:
    mentions: list[AgentMention]
    proposed: list[ProposedEntity]
    titles: list[Title] = field(default_factory=list)


def find_agents(article: Article, ids: Ids) -> Agents:
    """Mentions of registry entities and of proposed ones, the proposals, the titles."""
    entities = {e.id: e for e in article.entities}
    kinds = {e.id: e.kind.name for e in article.entities}
    names = registry_names(article.entities) + _office_names(article.entities)
    names += _governments(article, names)
    known = {name.lower() for _, name in names}
    base = find_mentions(article.text, names)
    proposed: dict[str, ProposedEntity] = {}
    extra: list[tuple[str, str]] = []
    for candidate in find_candidates(article, base, ids):
        proposed[candidate.label] = candidate
        extra.append((candidate.id, candidate.label))
        kinds[candidate.id] = candidate.kind
    if extra:
        base = find_mentions(article.text, names + extra)
    titles: list[Title] = []
    for titled in find_titled_names(article.sentences):
        person = _at(base, titled.name, "person", kinds)
        if person is None:
            if titled.name.text.lower() in known:
                continue  # a registry name of something else
            entity = proposed.get(titled.name.text) or _person(titled.name.text, ids)
            proposed.setdefault(titled.name.text, entity)
            entity.seen_as = entity.seen_as or " ".join(titled.phrase.text.split())
            extra += [(entity.id, titled.name.text), (entity.id, titled.name.text.split()[-1])]
            kinds[entity.id] = "person"
            person = entity.id
        title = _title(article, titled, base, kinds, entities, proposed, ids, person)
        if title is not None:
            titles.append(title)
    titles += _registry_offices(article.text, base, kinds)
    served = [m for m in _offices_of_holders(article.text, article.entities, titles)
              if not any(m.start < b.end and b.start < m.end for b in base)]  # fmt: skip
    if served:
        base = sorted([*base, *served], key=lambda m: m.start)
        titles += _registry_offices(article.text, base, kinds)
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
    for entity in proposed.values():
        kinds.setdefault(entity.id, entity.kind)
    mentions = [AgentMention(m.entity, m.start, m.end, m.text, kinds.get(m.entity, ""))
                for m in find_mentions(article.text, [*names, *extra])]  # fmt: skip
    mentions += [m for m in served if not any(m.start < b.end and b.start < m.end
                                              for b in mentions)]  # fmt: skip
    mentions.sort(key=lambda m: m.start)
    return Agents(mentions, list(proposed.values()), _unique(titles))


def _office_names(entities: tuple[Entity, ...]) -> list[tuple[str, str]]:
    """Offices named the way articles name them: "Kestria's Minister of Water Resources"
    for the office labelled "Minister of Water Resources of Kestria", "the Front's
    military commander" for "Military commander of the Eastern Liberation Front" (by
    any name of the party)."""
    labels = {e.id: (e.label, *e.aliases) for e in entities}
    names = []
    for office in (e for e in entities if e.kind.name == "office"):
        parties = labels.get(office.text("office in") or "", ())
        head = next((office.label[: -len(suffix)] for party in parties
                     for suffix in (f" of {party}", f" of the {_bare(party)}")
                     if office.label.endswith(suffix)), None)  # fmt: skip
        if head is not None:
            names += [(office.id, f"{party}'s {head}") for party in parties]
    return names


def _bare(name: str) -> str:
    return name[4:] if name.lower().startswith("the ") else name


_SERVES = re.compile(r"\s+(?:to|for|of)\s+(?:the\s+)?")


def _offices_of_holders(text: str, entities: tuple[Entity, ...], titles: list[Title]
                        ) -> list[AgentMention]:  # fmt: skip
    """An office that serves another office, named after its holder: "President Donald
    Trump's adviser" for "Adviser to the President of the United States" when the text
    says Donald Trump is the President. The mention is the head word alone ("adviser"),
    so that the holder's own mention stays."""
    by_label = {name_key(n): e.id for e in entities if e.kind.name == "office"
                for n in (e.label, *e.aliases)}  # fmt: skip
    people = {e.id: (e.label, *e.aliases) for e in entities}
    found = []
    for office in (e for e in entities if e.kind.name == "office"):
        label = office.label
        head, served = next(((label[: m.start()], by_label[name_key(label[m.end() :])])
                             for m in _SERVES.finditer(label)
                             if name_key(label[m.end() :]) in by_label), ("", ""))  # fmt: skip
        if not served:
            continue
        holders = {t.person for t in titles if t.kind == "office" and t.value == served}
        for name in (n for h in holders for n in people.get(h, ())):
            pattern = rf"(?<!\w){re.escape(name)}['\u2019]s\s+(?P<head>{re.escape(head)})\b"
            for found_at in re.finditer(pattern, text, re.IGNORECASE):
                start, end = found_at.span("head")
                found.append(AgentMention(office.id, start, end, found_at["head"], "office"))
    return found


def _governments(article: Article, names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """ "the government" for the state an article introduces as "Sarvania's government",
    when it introduces one only."""
    mentions = find_mentions(article.text, names)
    states = {e.id for e in article.entities if e.kind.name == "state"}
    owners = {m.entity for m in mentions if m.entity in states
              and _GOVERNMENT.match(article.text, m.end)}  # fmt: skip
    return [(owners.pop(), "the government")] if len(owners) == 1 else []


def _at(mentions: list[Mention], span: Span, kind: str, kinds: dict[str, str]) -> str | None:
    """The entity of ``kind`` mentioned exactly at (or over) ``span``."""
    return next((m.entity for m in mentions if m.start <= span.start and span.end <= m.end
                 and kinds.get(m.entity) == kind), None)  # fmt: skip


def _party(base: list[Mention], span: Span | None, kinds: dict[str, str]) -> str | None:
    """The state or organisation a span names ("Kestria", "the Front", "Borovian")."""
    if span is None:
        return None
    return next((m.entity for m in base if m.start < span.end and span.start < m.end
                 and kinds.get(m.entity) in PARTIES), None)  # fmt: skip


def _title(
    article: Article,
    titled: TitledName,
    base: list[Mention],
    kinds: dict[str, str],
    entities: dict[str, Entity],
    proposed: dict[str, ProposedEntity],
    ids: Ids,
    person: str,
) -> Title | None:
    """What the title makes of the person: a rank, a role, or an office (the registry's,
    or a proposed one when the text says whose office it is)."""
    party = _party(base, titled.party, kinds)
    title = titled.title
    if titled.party is not None and party is None and not titled.possessive:
        # "Brigadier General", "Foreign Ministry spokesman": the word is part of the title
        title = Span(titled.party.start, title.end,
                     article.text[titled.party.start : title.end])  # fmt: skip
    if any(m.start < title.end and title.start < m.end and kinds.get(m.entity) == "office"
           for m in base):  # fmt: skip
        return None  # a registry office: see _registry_offices
    words = " ".join(title.text.split())
    rank = article.concepts.find("rank", words)
    if rank is not None:
        return Title(person, "rank", str(rank).rsplit("/", 1)[-1], party, titled.phrase)
    if titled.lowercase:
        head = words.split(" of ")[0].split()[-1]
        role = "head-of-delegation" if _HEAD_NEGOTIATOR.match(words) else None
        concept = article.concepts.find("role", head) if role is None else None
        role = role or (str(concept).rsplit("/", 1)[-1] if concept is not None else None)
        if role is not None:
            return Title(person, "role", role, party, titled.phrase)
    tail = re.search(r"\s+(?:of|for|to)\s+", words)
    if party is None and tail:  # "Director General of the International ... Agency"
        party = _party(base, Span(title.start + tail.end(), title.end, ""), kinds)
    if party is None:
        return None
    owner = entities.get(party)
    owner_label = owner.label if owner else party
    label = words if tail else f"{words[0].upper()}{words[1:]} of {owner_label}"
    office = _registry_office(article.entities, party, words, label)
    if office is None:
        key = name_key(label)
        existing = proposed.get(key)
        if existing is None:
            existing = ProposedEntity(ids.new(label), "office", label, {"office in": party},
                                      seen_as=" ".join(titled.phrase.text.split()))  # fmt: skip
            proposed[key] = existing
        office = existing.id
        kinds[office] = "office"
    return Title(person, "office", office, party, titled.phrase)


def _registry_office(entities: tuple[Entity, ...], party: str, title: str, label: str
                     ) -> str | None:  # fmt: skip
    for office in entities:
        if office.kind.name != "office" or office.text("office in") != party:
            continue
        names = {name_key(n) for n in (office.label, *office.aliases)}
        if name_key(label) in names or name_key(title) in names or \
                name_key(office.label).startswith(name_key(title) + "-of-"):  # fmt: skip
            return office.id
    return None


def _registry_offices(text: str, base: list[Mention], kinds: dict[str, str]) -> list[Title]:
    """A registry office next to a person: "Arlandic Foreign Minister Lena Strand",
    "Kestria's Minister of Water Resources, Ilse Marant", "Rafael Grossi, Director
    General of the International Atomic Energy Agency"."""
    titles = []
    people = [m for m in base if kinds.get(m.entity) == "person"]
    for office in (m for m in base if kinds.get(m.entity) == "office"):
        for person in people:
            before = text[office.end : person.start] if person.start >= office.end else None
            after = text[person.end : office.start] if office.start >= person.end else None
            if before is not None and re.fullmatch(r",?\s", before):
                span = Span(office.start, person.end, text[office.start : person.end])
            elif after is not None and re.fullmatch(r",\s+(?:the\s+)?", after):
                span = Span(person.start, office.end, text[person.start : office.end])
            else:
                continue
            titles.append(Title(person.entity, "office", office.entity, None, span))
    return titles


def _unique(titles: list[Title]) -> list[Title]:
    seen: dict[tuple[str, str, str], Title] = {}
    for title in titles:
        seen.setdefault((title.person, title.kind, title.value), title)
    return list(seen.values())


def _person(name: str, ids: Ids) -> ProposedEntity:
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

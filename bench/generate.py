"""Generate a synthetic seeds folder: N negotiations between fictitious states, each
reported by several articles, in the seed format of ``docs/annotations.md``.

Every negotiation has a process, two to five held rounds and a planned one (dates at
day or month precision, cities, venues), delegations with heads and members and their
offices, a mediator, a host, a consulted organisation, direct quotations, assessments,
positions on issues, outcomes, commitments with deadlines, divergences, an exchange of
notes, side meetings and context events. One article reports each held round; later
articles name the process, rounds, outcomes and deadlines of earlier ones. Every claim
type of ``kg/claimtypes.py`` and every concept of ``ontology/concepts.ttl`` is used: the
concepts are read from the ontology (bench/vocabulary.py), and those the articles did not
use get a claim each at the end of the last article.

Each evidence quote is cut from the article text as it is written, so it really occurs
there; a quote that occurs more than once is written with its ``occurrence``. The
output is deterministic for a given ``--seed``. States, people and organisations are
invented: nothing here is a fact about the world, and no entity has a Wikidata id.

    python -m bench.generate --negotiations 40 --out /tmp/corpus
"""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import hashlib
import random
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.vocabulary import ONTOLOGY, Vocabulary

ROOT = Path(__file__).resolve().parent.parent

# --- vocabulary: the concepts read from the ontology (bench/vocabulary.py) --------------

# The concepts this generator gives a meaning of its own, by scheme: the ontology must
# define them. Every other concept is used by its label (issues, formats) or, if the
# corpus has not used it by its end, by a claim of its own (see _other_concepts).
MEANINGFUL: dict[str, tuple[str, ...]] = {
    "role": ("negotiating-party", "mediator", "host", "head-of-delegation",
             "delegation-member", "adviser", "envoy", "spokesperson", "technical-expert",
             "consulted-party"),
    "stance": ("insists-on", "demands", "excludes", "proposes", "accepts", "rejects"),
    "channel": ("told-reporters", "social-media-post", "anonymous-briefing", "media-report"),
    "status": ("held", "planned"),
    "relation": ("background", "interruption", "concurrent-tension"),
    "action-type": ("mediate", "walk-out"),
    "proposal": ("agreed-in-principle",),
    "rank": ("colonel",),
}  # fmt: skip

# --- names -----------------------------------------------------------------------------

FIRST_NAMES = (
    ("Elena", "she"), ("Marek", "he"), ("Yara", "she"), ("Idris", "he"), ("Lina", "she"),
    ("Tomas", "he"), ("Anouk", "she"), ("Karim", "he"), ("Sofia", "she"), ("Rafi", "he"),
    ("Mira", "she"), ("Jonas", "he"), ("Leila", "she"), ("Andrei", "he"), ("Nadia", "she"),
    ("Omar", "he"), ("Ines", "she"), ("Pavel", "he"), ("Hana", "she"), ("Dario", "he"),
    ("Amara", "she"), ("Viktor", "he"), ("Selin", "she"), ("Tariq", "he"), ("Greta", "she"),
    ("Luca", "he"), ("Noor", "she"), ("Emil", "he"), ("Zora", "she"), ("Bruno", "he"),
)  # fmt: skip
SURNAME_HEADS = (
    "Var", "Del", "Os", "Kar", "Mel", "Tor", "Bren", "Cas", "Dar", "Fal", "Gor", "Hal",
    "Ist", "Jan", "Kov", "Lom", "Mor", "Nar", "Or", "Pas", "Quin", "Ral", "Sar", "Tal",
    "Ul", "Ven", "Zar",
)  # fmt: skip
SURNAME_TAILS = (
    "kos", "miro", "trani", "elli", "ovic", "asen", "ard", "ez", "ani", "berg", "ino",
    "ski", "oglu", "ura", "eck", "ado",
)  # fmt: skip
STATE_HEADS = (
    "Ar", "Bel", "Cal", "Dor", "Es", "Fal", "Gal", "Hes", "Il", "Jor", "Kas", "Lor", "Mar",
    "Nov", "Os", "Par", "Qua", "Rav", "Sel", "Tav", "Ul", "Ver", "Wes", "Zan",
)  # fmt: skip
STATE_TAILS = (
    "avia", "mora", "dera", "istan", "land", "oria", "enia", "ovo", "esh", "ar", "inia", "ury",
)  # fmt: skip
CITY_TAILS = ("port", "grad", "ville", "abad", "burg", "holm", "stad", "mouth", "field")
WATERS = ("Gulf of {}", "{} Strait", "{} Basin", "Bay of {}")
ORGANISATIONS = (
    ("International Nuclear Oversight Agency", "INOA"),
    ("Council for Regional Security", "CRS"),
    ("Atomic Safeguards Commission", "ASC"),
)
WEBSITES = (("chirp", "Chirp", "Chirper"), ("postboard", "Postboard", ""))
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh")
NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
EXPERTISE = ("nuclear", "legal", "economic", "technical", "financial", "energy")

# --- what people say -------------------------------------------------------------------

ANONYMOUS_WORDS = (
    "Progress was made, but there are still a lot of details to discuss.",
    "We made headway on several points, but the hard questions remain open.",
    "The other side came with serious ideas, and we will study them carefully.",
    "There is movement, but nobody should expect a breakthrough this month.",
    "We narrowed some gaps today; others are as wide as they were.",
)
ANONYMOUS_ADJECTIVES = ("constructive", "businesslike", "useful", "substantive", "frank")
REPORTER_PAIRS = (
    ("more serious", "more constructive"),
    ("more detailed", "more focused"),
    ("more candid", "more productive"),
    ("more technical", "more positive"),
)
MEDIATOR_POSTS = (
    "good progress towards identifying common goals and relevant technical issues.",
    "real progress on the principles that should guide a final agreement.",
    "a shared commitment to continue the dialogue in good faith.",
    "good progress on the questions that have divided them for years.",
)
MEDIATOR_CALLS = ("constructive", "encouraging", "positive", "productive")
MEDIA_WORDS = (
    "The ball is now in the other side's court.",
    "We came to negotiate, not to make speeches.",
    "Our rights under the treaty are not up for discussion.",
    "We will judge the other side by its deeds, not by its words.",
)
DRAFT_WORDS = (
    "It was decided that both sides will work on the drafts of a potential agreement, "
    "and after exchanging the texts, the timing of the next round of talks will be determined",
    "Both delegations will now prepare written proposals, and the next meeting will be "
    "scheduled once the texts have been exchanged",
)
PRINCIPLES = "a set of guiding principles"
ANALYST_NOTES = (
    "represents a modest step forward",
    "is a necessary but insufficient step",
    "keeps the process alive",
)
FOCUSES = ("technical aspects", "the sequencing of steps", "verification", "draft texts")
GAPS = (
    "significant gaps persist and more work is required before any comprehensive "
    "agreement can be reached",
    "important differences remain on the sequencing of any deal",
    "the most difficult questions have yet to be addressed",
)
DEADLINES = (
    ("P14D", "within the next two weeks"),
    ("P2W", "within a fortnight"),
    ("P10D", "within ten days"),
    ("P1M", "within a month"),
    ("P21D", "within three weeks"),
)
INCIDENTS = ("a border incident", "a naval confrontation", "a cyberattack on a power grid")


MARK = "# Synthetic entity registry written by bench/generate.py"  # what --out may replace


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


# --- the world: states, people, organisations ------------------------------------------


@dataclass
class Person:
    id: str
    first: str
    last: str
    pronoun: str

    @property
    def label(self) -> str:
        return f"{self.first} {self.last}"

    @property
    def his(self) -> str:
        return "his" if self.pronoun == "he" else "her"

    @property
    def he(self) -> str:
        return self.pronoun.capitalize()


@dataclass
class City:
    id: str
    name: str
    state: str  # id of its state


@dataclass
class State:
    id: str
    name: str
    cities: list[City]
    place: tuple[str, str]  # id and label of a sea area
    people: dict[str, Person] = field(default_factory=dict)  # by office key
    offices: dict[str, str] = field(default_factory=dict)  # office key -> office id


@dataclass
class Organisation:
    id: str
    name: str
    short: str
    director: Person
    office: str


class World:
    """The registry: states and their offices and office holders, organisations,
    websites, groups, and the people each negotiation adds."""

    def __init__(self, rng: random.Random, states: int, vocabulary: Vocabulary) -> None:
        self.rng = rng
        self.vocabulary = vocabulary
        self.entities: list[dict[str, object]] = []
        self._ids: set[str] = set()
        self._people: set[str] = set()
        self.states = [self._state(name) for name in self._state_names(states)]
        self.organisations = [self._organisation(name, short) for name, short in ORGANISATIONS]
        for website_id, label, alias in WEBSITES:
            self._add(website_id, "website", label, aliases=[alias] if alias else [])
        self._add("analysts", "group", "Analysts", note="Unnamed analysts.")
        self.venues: dict[tuple[str, str], tuple[str, str]] = {}

    def _add(self, entity_id: str, kind: str, label: str, **fields: object) -> str:
        assert entity_id not in self._ids, entity_id
        self._ids.add(entity_id)
        entry: dict[str, object] = {"id": entity_id, "kind": kind, "label": label}
        entry.update({k.replace("_", " "): v for k, v in fields.items() if v})
        self.entities.append(entry)
        return entity_id

    def _state_names(self, count: int) -> list[str]:
        names = [h + t for h in STATE_HEADS for t in STATE_TAILS]
        self.rng.shuffle(names)
        return names[:count]

    def person(self, office_label: str = "") -> Person:
        while True:
            first, pronoun = self.rng.choice(FIRST_NAMES)
            last = self.rng.choice(SURNAME_HEADS) + self.rng.choice(SURNAME_TAILS)
            if f"{first} {last}" not in self._people:
                break
        self._people.add(f"{first} {last}")
        person = Person(slug(f"{first} {last}"), first, last, pronoun)
        note = (
            f"Holds the office of {office_label} in this synthetic corpus." if office_label else ""
        )
        self._add(person.id, "person", person.label, aliases=[last], note=note)
        return person

    def _state(self, name: str) -> State:
        state_id = self._add(slug(name), "state", name)
        cities = []
        for tail in self.rng.sample(CITY_TAILS, 2):
            city_name = name[:4].rstrip("aeiou") + tail
            while slug(city_name) in self._ids:  # another state's city has that name
                city_name = self.rng.choice(SURNAME_HEADS) + self.rng.choice(CITY_TAILS)
            city_id = self._add(slug(city_name), "city", city_name, country=state_id)
            cities.append(City(city_id, city_name, state_id))
        water = self.rng.choice(WATERS).format(name)
        place_id = self._add(slug(water), "place", water, located_in=state_id)
        state = State(state_id, name, cities, (place_id, water))
        ministry = self._add(
            f"{state_id}-foreign-ministry",
            "organisation",
            f"Ministry of Foreign Affairs of {name}",
            aliases=["Foreign Ministry"],
            part_of=state_id,
        )
        offices = (
            ("president", f"President of {name}", state_id, "President"),
            ("foreign-minister", f"Foreign Minister of {name}", state_id, "Foreign Minister"),
            ("envoy", f"Special Envoy of {name}", state_id, "Special Envoy"),
            ("adviser", f"Adviser to the President of {name}", state_id, ""),
            ("spokesperson", f"Spokesperson of the Ministry of Foreign Affairs of {name}",
             ministry, "Foreign Ministry spokesperson"),
        )  # fmt: skip
        for key, label, office_in, alias in offices:
            office_id = self._add(
                slug(label), "office", label, aliases=[alias] if alias else [], office_in=office_in
            )
            state.offices[key] = office_id
            if key != "adviser":
                state.people[key] = self.person(label)
        self._add(f"{state_id}-state-media", "group", f"{name} state media", affiliation=state_id)
        self._add(f"{state_id}-officials", "group", f"{name} officials", affiliation=state_id)
        self._add(
            f"anonymous-official-of-{state_id}",
            "anonymous",
            f"Anonymous official of {name}",
            affiliation=state_id,
            note=f"An official of {name} speaking on condition of anonymity.",
        )
        return state

    def _organisation(self, name: str, short: str) -> Organisation:
        org_id = self._add(slug(name), "organisation", name, aliases=[short])
        office_label = f"Director General of the {name}"
        office = self._add(
            slug(office_label),
            "office",
            office_label,
            aliases=[f"Director General of the {short}"],
            office_in=org_id,
        )
        return Organisation(org_id, name, short, self.person(office_label), office)

    def venue(self, mediator: State, city: City) -> tuple[str, str]:
        key = (mediator.id, city.id)
        if key not in self.venues:
            if mediator.id == city.state:
                label = f"Ministry of Foreign Affairs Guest House, {city.name}"
            else:
                label = f"Embassy of {mediator.name}, {city.name}"
            self.venues[key] = (self._add(slug(label), "place", label, located_in=city.id), label)
        return self.venues[key]

    def group(self, group_id: str, label: str) -> str:
        return self._add(group_id, "group", label)

    def state(self, state_id: str) -> State:
        return next(s for s in self.states if s.id == state_id)


# --- articles: text written sentence by sentence, quotes cut from it --------------------


@dataclass(frozen=True)
class Quote:
    text: str
    start: int  # where it was cut from the article


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int

    def q(self, part: str | None = None) -> Quote:
        """A quote of ``part`` of this sentence (its first occurrence), or of it all."""
        if part is None:
            return Quote(self.text, self.start)
        at = self.text.index(part)
        return Quote(part, self.start + at)


Value = str | list[str] | dict[str, str]


@dataclass
class Claim:
    id: str
    type: str
    fields: dict[str, Value]
    evidence: list[Quote]


class Article:
    def __init__(self) -> None:
        self.chunks: list[str] = []
        self.size = 0
        self._new_paragraph = False
        self.claims: list[Claim] = []

    def paragraph(self) -> None:
        self._new_paragraph = True

    def say(self, text: str) -> Sentence:
        separator = "" if not self.chunks else "\n" if self._new_paragraph else " "
        self._new_paragraph = False
        start = self.size + len(separator)
        self.chunks.append(separator + text)
        self.size = start + len(text)
        return Sentence(text, start)

    def claim(self, claim_id: str, claim_type: str, evidence: list[Quote], **fields: Value) -> str:
        values = {k.rstrip("_").replace("_", " "): v for k, v in fields.items() if v}
        self.claims.append(Claim(claim_id, claim_type, values, evidence))
        return claim_id

    @property
    def text(self) -> str:
        return "".join(self.chunks) + "\n"


# --- one negotiation -------------------------------------------------------------------


def _date_wording(day: dt.date) -> str:
    weekday, month = calendar.day_name[day.weekday()], calendar.month_name[day.month]
    return f"{weekday}, {month} {day.day}, {day.year}"


def _month(day: dt.date) -> str:
    return f"{calendar.month_name[day.month]} {day.year}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


@dataclass
class Round:
    number: int
    id: str
    day: dt.date
    full_date: bool
    city: City
    venue: tuple[str, str]

    @property
    def date(self) -> str:
        return self.day.isoformat() if self.full_date else self.day.isoformat()[:7]


class Negotiation:
    """One negotiation process between two states, with a mediating third."""

    def __init__(self, world: World, rng: random.Random, index: int, issue_offset: int) -> None:
        self.world, self.rng, self.index = world, rng, index
        self.p = f"n{index + 1}"
        self.process = f"{self.p}-talks"
        a, b, m, neutral = rng.sample(world.states, 4)
        self.a, self.b, self.m = a, b, m
        formats, issues = world.vocabulary.slugs("format"), world.vocabulary.slugs("issue")
        self.format = formats[index % len(formats)]
        self.issues = [issues[(issue_offset + j) % len(issues)] for j in range(5)]
        self.org = rng.choice(world.organisations)
        self.website = rng.choice(WEBSITES)
        self.a_adviser = world.person()
        self.b_deputy = world.person()
        self.experts = world.group(
            f"technical-experts-{index + 1}",
            f"Experts in the {a.name}–{b.name} talks",
        )
        start = dt.date(2024, 1, 1) + dt.timedelta(days=rng.randrange(700))
        self.rounds: list[Round] = []
        day = start
        for number in range(1, rng.randint(2, 5) + 1):
            city = rng.choice([*m.cities, neutral.cities[0]])
            self.rounds.append(
                Round(
                    number,
                    f"{self.p}-round-{number}",
                    day,
                    number == 1 or rng.random() < 0.8,
                    city,
                    world.venue(m, city),
                )
            )
            day += dt.timedelta(days=rng.randint(14, 60))
        self.next_day = day

    def articles(self, issue_offset: int) -> Iterator[tuple[Round, Article]]:
        for held in self.rounds:
            offset = issue_offset + 6 * (held.number - 1)
            yield held, self._article(held, offset)

    def _model_paragraph(self, art: Article, rd: Round, fmt: str, r: str, issue: str) -> None:
        """The open annotation model's constructs: a session, a mediator's move, reported
        speech, a proposed body, a number in a position, a rank, a walkout, words two
        delegations share, a deadline on a date, a report that the previous round's
        promise was kept (later rounds), a cause in a season (first round)."""
        world, rng, a, b, m = self.world, self.rng, self.a, self.b, self.m
        v, mediator = world.vocabulary, m.people["foreign-minister"]
        art.paragraph()
        s = art.say(f"The round opened with a {v.label('format', fmt)} session, in which "
                    f"{m.name} mediated between the two delegations.")  # fmt: skip
        session = art.claim(f"{r}-opening-session", "session", [s.q()],
                            label=f"Opening session of {rd.id}", part_of=rd.id,
                            date=rd.date if rd.full_date else "", format=fmt)  # fmt: skip
        mediation = art.claim(f"{r}-{m.id}-mediates", "action", [s.q()], by=[m.id],
                              action="mediate", towards=[a.id, b.id], in_=session)  # fmt: skip
        s = art.say(f"{mediator.label} said the parties had asked for more time to consult "
                    "their capitals.")  # fmt: skip
        art.claim(f"{r}-more-time", "reported speech", [s.q()], speaker=[mediator.id],
                  content="the parties had asked for more time to consult their capitals",
                  reported_speakers=[a.id, b.id], about=rd.id, not_before=rd.date)  # fmt: skip
        sites = rng.randint(3, 40)
        s = art.say(f"Both sides agree that a joint technical committee should be set up; "
                    f"whether its findings would be binding remains disputed, and {b.name} "
                    f"proposes that inspectors visit {sites} sites each month.")  # fmt: skip
        art.claim(f"{r}-joint-committee", "proposed body",
                  [s.q("a joint technical committee should be set up"),
                   s.q("whether its findings would be binding remains disputed")],
                  label=f"Joint technical committee of the {a.name}–{b.name} talks",
                  status="agreed-in-principle", in_=self.process, members=[a.id, b.id],
                  agreed=["that the committee should be set up"],
                  disputed=["whether its findings would be binding"])  # fmt: skip
        art.claim(f"{r}-{b.id}-inspections", "position",
                  [s.q(f"{b.name} proposes that inspectors visit {sites} sites each month")],
                  holder=b.id, issue=issue, stance="proposes", in_=rd.id,
                  quantities={"value": str(sites), "of": "sites visited each month"})  # fmt: skip
        officer = world.person()
        s = art.say(f"Colonel {officer.label} advised the delegation of {a.name}.")
        art.claim(f"{r}-{officer.id}-colonel", "rank", [s.q()], holder=officer.id,
                  rank="colonel", service=a.id)  # fmt: skip
        s = art.say(f"The delegation of {b.name} walked out for an hour in protest at reports "
                    f"of new sanctions, and returned after {m.name} intervened.")  # fmt: skip
        art.claim(f"{r}-{b.id}-walkout", "interruption", [s.q()],
                  label=f"Walkout of the delegation of {b.name}", part_of=rd.id,
                  action="walk-out", by=[b.id], duration="PT1H",
                  reason="in protest at reports of new sanctions",
                  ended_by=[mediation])  # fmt: skip
        s = art.say('Both delegations called the atmosphere "businesslike".')
        art.claim(f"{r}-businesslike", "statement", [s.q()], speaker=[a.id, b.id],
                  words="businesslike", not_before=rd.date, about=rd.id)  # fmt: skip
        art.claim(f"{r}-progress-assessed", "assessment", [s.q()],
                  of=f"{r}-measurable-progress", characterisation=["businesslike"])  # fmt: skip
        month = calendar.month_name[self.next_day.month]
        s = art.say(f"{a.name} promised to publish its proposals by the end of {month}.")
        art.claim(f"{r}-{a.id}-publish", "commitment", [s.q()],
                  label=f"{a.name} to publish its proposals by the end of {month}", by=[a.id],
                  action="Publish its proposals.", of=rd.id,
                  deadline={"by": self.next_day.isoformat()[:7],
                            "wording": f"by the end of {month}"})  # fmt: skip
        if rd.number > 1:
            s = art.say(f"{a.name} had published its proposals, as it promised in the "
                        "previous round.")  # fmt: skip
            art.claim(f"{r}-{a.id}-published", "fulfilment", [s.q()],
                      of=f"{self.p}-r{rd.number - 1}-{a.id}-publish", status="met",
                      date=rd.date if rd.full_date else "",
                      wording="had published its proposals")  # fmt: skip
        if rd.number == 1:
            year = rd.day.year - 1
            s = art.say(
                f"The talks followed a dispute over fishing rights in the summer of {year}."
            )
            art.claim(f"{self.p}-fishing-dispute", "context event", [s.q()],
                      label=f"Dispute over fishing rights between {a.name} and {b.name}",
                      date=f"{year}-22", date_wording=f"the summer of {year}",
                      actor=[a.id, b.id], context_for=self.process, relation="background",
                      led_to=[self.process])  # fmt: skip

    # The article reporting one held round.
    def _article(self, rd: Round, offset: int) -> Article:
        rng, world, art = self.rng, self.world, Article()
        a, b, m, org = self.a, self.b, self.m, self.org
        k, p, r = rd.number, self.p, f"{self.p}-r{rd.number}"
        prev = self.rounds[k - 2] if k > 1 else None
        last = k == len(self.rounds)
        formats, issues = world.vocabulary.slugs("format"), world.vocabulary.slugs("issue")
        fmt = (
            self.format
            if k == 1 or rng.random() < 0.7
            else formats[(formats.index(self.format) + 1) % len(formats)]
        )
        fmt_words = world.vocabulary.label("format", fmt)
        a_head, b_head = a.people["envoy"], b.people["foreign-minister"]
        mediator = m.people["foreign-minister"]
        director, president = org.director, a.people["president"]
        spokesperson = b.people["spokesperson"]
        gap = rng.choice(GAPS)
        host = world.state(rd.city.state)

        def issue(j: int) -> str:
            return issues[(offset + j) % len(issues)]

        def phrase(issue_slug: str) -> str:
            return world.vocabulary.label("issue", issue_slug)

        # --- the lead: the round, and in the first article the process -------------------
        when = (
            f"on {_date_wording(rd.day)}"
            if rd.full_date
            else f"in mid-{calendar.month_name[rd.day.month]}"
        )
        lead = art.say(
            f"{a.name} and {b.name} made measurable progress during the {ORDINALS[k - 1]} round "
            f"of {fmt_words} nuclear negotiations held in {rd.city.name} {when}, though both sides "
            f"acknowledged that {gap}."
        )
        round_quote = lead.q(
            f"{ORDINALS[k - 1]} round of {fmt_words} nuclear negotiations held in "
            f"{rd.city.name} {when}"
        )
        if k == 1:
            cover = art.say(
                f"The talks, the first between the two governments in years, cover "
                f"{_join([phrase(i) for i in self.issues])}."
            )
            art.claim(
                self.process,
                "negotiation",
                [lead.q(f"{fmt_words} nuclear negotiations"), cover.q()],
                label=f"{a.name}–{b.name} nuclear negotiations ({rd.day.year})",
                format=fmt,
                issues=list(self.issues),
            )
            for party in (a, b):
                art.claim(
                    f"{p}-{party.id}-negotiating-party",
                    "participation",
                    [lead.q(f"{a.name} and {b.name} made measurable progress")],
                    agent=party.id,
                    event=self.process,
                    roles=["negotiating-party"],
                )
        art.claim(
            f"{r}-measurable-progress",
            "outcome",
            [lead.q(f"{a.name} and {b.name} made measurable progress"), lead.q(gap)],
            label=f"Measurable progress in the {ORDINALS[k - 1]} round, with gaps remaining",
            of=rd.id,
            description=f"The parties made measurable progress, though {gap}.",
            parties=[a.id, b.id],
        )

        # --- an anonymous official, the head of delegation of B ---------------------------
        words = rng.choice(ANONYMOUS_WORDS)
        adjective = rng.choice(ANONYMOUS_ADJECTIVES)
        anonymous = f"anonymous-official-of-{a.id}"
        s = art.say(
            f"An official of {a.name}, speaking on condition of anonymity, described the talks "
            f'as {adjective}, stating: "{words}"'
        )
        art.claim(
            f"{r}-anonymous-statement",
            "statement",
            [s.q()],
            speaker=anonymous,
            words=words,
            channel="anonymous-briefing",
            not_before=rd.date,
            about=rd.id,
        )
        art.claim(
            f"{r}-anonymous-assessment",
            "assessment",
            [s.q(f"described the talks as {adjective}")],
            by=[anonymous],
            of=rd.id,
            characterisation=[adjective],
        )
        art.paragraph()
        art.say(
            f"This cautious assessment aligns with comments from Foreign Minister "
            f"{b_head.label} of {b.name}, who led the delegation of {b.name}."
        )
        serious, constructive = rng.choice(REPORTER_PAIRS)
        than = (
            f" than the {ORDINALS[prev.number - 1]} round held in {prev.city.name} in "
            f"{calendar.month_name[prev.day.month]}"
            if prev
            else ""
        )
        s = art.say(
            f"After the session concluded at the {rd.venue[1]}, {b_head.last} told reporters "
            f'the discussions were "{serious}" and conducted in a "{constructive}" '
            f"atmosphere{than}."
        )
        told: dict[str, Value] = {"date": rd.date} if rd.full_date else {"not before": rd.date}
        said = []
        for n, quoted in enumerate((serious, constructive)):
            said.append(
                art.claim(
                    f"{r}-{b_head.id}-says-{slug(quoted)}-{n + 1}",
                    "statement",
                    [s.q(f'{b_head.last} told reporters the discussions were "{serious}"')]
                    if n == 0
                    else [s.q(f'conducted in a "{constructive}" atmosphere{than}')],
                    speaker=b_head.id,
                    words=quoted,
                    channel="told-reporters",
                    about=rd.id,
                    **told,
                )
            )
        art.claim(
            f"{r}-{b_head.id}-assessment",
            "assessment",
            [s.q()],
            by=[b_head.id],
            of=rd.id,
            characterisation=[serious, f"{constructive} atmosphere"],
            compared_with=prev.id if prev else "",
            expressed_in=said,
        )
        draft = rng.choice(DRAFT_WORDS)
        s = art.say(f'"{draft}," {b_head.last} explained.')
        art.claim(
            f"{r}-{b_head.id}-drafts",
            "statement",
            [s.q()],
            label=f"{b_head.last}: both sides will work on drafts",
            speaker=b_head.id,
            words=draft,
            channel="told-reporters",
            not_before=rd.date,
            about=rd.id,
        )
        drafting = art.claim(
            f"{r}-drafting-decision",
            "outcome",
            [s.q(draft)],
            label=f"Both sides to work on drafts after the {ORDINALS[k - 1]} round",
            of=rd.id,
            description="Both sides will work on drafts of a potential agreement.",
            parties=[a.id, b.id],
        )
        for party in (a, b):
            art.claim(
                f"{r}-{party.id}-drafting-commitment",
                "commitment",
                [s.q(draft)],
                label=f"{party.name} to work on drafts of a potential agreement",
                by=[party.id],
                action="Work on the drafts of a potential agreement and exchange the texts.",
                of=drafting,
            )
        principles = art.say(
            f'{b_head.he} highlighted that the parties had reached a "general agreement on '
            f'{PRINCIPLES}" to serve as the foundation for drafting a text.'
        )
        art.claim(
            f"{r}-guiding-principles",
            "outcome",
            [principles.q(f"general agreement on {PRINCIPLES}")],
            label="General agreement on a set of guiding principles",
            of=rd.id,
            parties=[a.id, b.id],
        )

        # --- the mediator and the consulted organisation ----------------------------------
        art.paragraph()
        post = rng.choice(MEDIATOR_POSTS)
        call = rng.choice(MEDIATOR_CALLS)
        mediated = f"{mediator.label} of {m.name}, who mediated the {fmt_words} format"
        mediator_role = art.say(
            f"Foreign Minister {mediated}, "
            f'wrote on {self.website[1]} that the talks concluded with "{post}"'
        )
        thanks = art.say(
            f'{mediator.he} called the discussions "{call}," and thanked {director.label}, '
            f"Director General of the {org.name} ({org.short}), for {director.his} contributions."
        )
        posted = art.claim(
            f"{r}-{mediator.id}-post",
            "statement",
            [mediator_role.q()],
            speaker=mediator.id,
            words=post,
            channel="social-media-post",
            platform=self.website[0],
            not_before=rd.date,
            about=rd.id,
        )
        called = art.claim(
            f"{r}-{mediator.id}-call",
            "statement",
            [thanks.q(f'{mediator.he} called the discussions "{call},"')],
            label=f'{mediator.last}: the discussions were "{call}"',
            speaker=mediator.id,
            words=call,
            channel="social-media-post",
            platform=self.website[0],
            not_before=rd.date,
            about=rd.id,
        )
        art.claim(
            f"{r}-{mediator.id}-assessment",
            "assessment",
            [
                mediator_role.q(f'the talks concluded with "{post}"'),
                thanks.q(f'called the discussions "{call},"'),
            ],
            by=[mediator.id],
            of=rd.id,
            characterisation=[post.rstrip("."), call],
            expressed_in=[posted, called],
        )
        if k == 1:
            art.claim(
                f"{p}-{m.id}-mediates",
                "participation",
                [mediator_role.q(mediated)],
                agent=m.id,
                event=self.process,
                roles=["mediator"],
            )
        art.claim(
            f"{r}-{mediator.id}-mediates",
            "participation",
            [mediator_role.q(mediated)],
            agent=mediator.id,
            event=rd.id,
            roles=["mediator"],
            capacity=m.offices["foreign-minister"],
            on_behalf_of=m.id,
        )
        art.claim(
            f"{r}-{mediator.id}-office",
            "office holding",
            [mediator_role.q(f"Foreign Minister {mediator.label} of {m.name}")],
            holder=mediator.id,
            office=m.offices["foreign-minister"],
        )
        art.claim(
            f"{r}-{director.id}-consulted",
            "participation",
            [thanks.q(f"thanked {director.label}")],
            agent=director.id,
            event=rd.id,
            roles=["consulted-party"],
            capacity=org.office,
            on_behalf_of=org.id,
        )
        art.claim(
            f"{r}-{director.id}-office",
            "office holding",
            [thanks.q(f"{director.label}, Director General of the {org.name} ({org.short})")],
            holder=director.id,
            office=org.office,
        )
        if host.id != m.id:
            hosted = art.say(
                f"{host.name} hosted the round at the request of both parties, its foreign "
                f"ministry said."
            )
            host_quote = hosted.q(f"{host.name} hosted the round")
        else:
            hosted = art.say(f"{m.name} also hosted the round in {rd.city.name}.")
            host_quote = hosted.q()
        art.claim(
            f"{r}-{host.id}-hosts",
            "participation",
            [host_quote],
            agent=host.id,
            event=rd.id,
            roles=["host"],
            on_behalf_of=host.id,
        )

        # --- duration, focus, experts, notes, side meetings --------------------------------
        art.paragraph()
        hours = rng.randint(2, 6)
        duration_words = f"approximately {NUMBERS[hours - 1]}-hour"
        focus = rng.choice(FOCUSES)
        fields_ = rng.sample(EXPERTISE, 3)
        media = f"{b.id}-state-media"
        s = art.say(
            f"{b.name} state media and Foreign Ministry spokesperson {spokesperson.label} "
            f"reported that the {duration_words} session focused primarily on {focus}, with "
            f"experts in {fields_[0]}, {fields_[1]}, and {fields_[2]} fields participating."
        )
        reporters = s.q(
            f"{b.name} state media and Foreign Ministry spokesperson {spokesperson.label} "
            "reported that"
        )
        art.claim(
            f"{r}-{spokesperson.id}-spokesperson",
            "participation",
            [s.q()],
            agent=spokesperson.id,
            event=rd.id,
            roles=["spokesperson"],
            on_behalf_of=b.id,
            capacity=b.offices["spokesperson"],
        )
        art.claim(
            f"{r}-{spokesperson.id}-office",
            "office holding",
            [s.q(f"Foreign Ministry spokesperson {spokesperson.label}")],
            holder=spokesperson.id,
            office=b.offices["spokesperson"],
        )
        art.claim(
            f"{r}-experts",
            "participation",
            [
                reporters,
                s.q(
                    f"experts in {fields_[0]}, {fields_[1]}, and {fields_[2]} fields participating"
                ),
            ],
            agent=self.experts,
            event=rd.id,
            roles=["technical-expert"],
            expertise=fields_,
            according_to=[media, spokesperson.id],
            note="The article does not say which side the experts belonged to.",
        )
        round_evidence = [
            round_quote,
            s.q(f"the {duration_words} session focused primarily on {focus}"),
        ]
        notes = [issue(0), issue(1)]
        s = art.say(
            f"The delegations exchanged notes on key issues, including {phrase(notes[0])} and "
            f"{phrase(notes[1])}."
        )
        art.claim(
            f"{r}-notes",
            "note exchange",
            [s.q()],
            part_of=rd.id,
            between=[f"{r}-{a.id}-delegation", f"{r}-{b.id}-delegation"],
            topics=notes,
        )
        topics = [issue(2), issue(3)]
        s = art.say(
            f"Both sides held separate meetings with {director.last} to address "
            f"{phrase(topics[0])} and {phrase(topics[1])}."
        )
        for party in (a, b):
            art.claim(
                f"{r}-{party.id}-meets-{director.id}",
                "meeting",
                [s.q()],
                label=f"Meeting of the delegation of {party.name} with {director.label}",
                part_of=rd.id,
                participants=[f"{r}-{party.id}-delegation", director.id],
                topics=topics,
                date=rd.date,
            )

        # --- delegations ------------------------------------------------------------------
        art.paragraph()
        s = art.say(
            f"The delegation of {a.name} was led by Special Envoy {a_head.label} and included "
            f"President {president.label}'s adviser {self.a_adviser.label}."
        )
        _delegation(
            art,
            r,
            rd.id,
            ORDINALS[k - 1],
            a,
            a_head,
            s.q(f"The delegation of {a.name} was led by Special Envoy {a_head.label}"),
            ["head-of-delegation", "envoy"],
            a.offices["envoy"],
        )
        art.claim(
            f"{r}-{self.a_adviser.id}-member",
            "participation",
            [s.q(f"included President {president.label}'s adviser {self.a_adviser.label}")],
            agent=self.a_adviser.id,
            event=rd.id,
            roles=["delegation-member", "adviser"],
            delegation=f"{r}-{a.id}-delegation",
            on_behalf_of=a.id,
            capacity=a.offices["adviser"],
            advises=president.id,
        )
        for person, office, quote in (
            (a_head, a.offices["envoy"], f"Special Envoy {a_head.label}"),
            (president, a.offices["president"], f"President {president.label}"),
            (self.a_adviser, a.offices["adviser"],
             f"President {president.label}'s adviser {self.a_adviser.label}"),
        ):  # fmt: skip
            art.claim(
                f"{r}-{person.id}-office",
                "office holding",
                [s.q(quote)],
                holder=person.id,
                office=office,
            )
        s = art.say(
            f"The delegation of {b.name} was headed by {b_head.last} and included deputy "
            f"foreign minister {self.b_deputy.label}."
        )
        _delegation(
            art,
            r,
            rd.id,
            ORDINALS[k - 1],
            b,
            b_head,
            s.q(f"The delegation of {b.name} was headed by {b_head.last}"),
            ["head-of-delegation"],
            b.offices["foreign-minister"],
        )
        art.claim(
            f"{r}-{self.b_deputy.id}-member",
            "participation",
            [s.q(f"included deputy foreign minister {self.b_deputy.label}")],
            agent=self.b_deputy.id,
            event=rd.id,
            roles=["delegation-member"],
            delegation=f"{r}-{b.id}-delegation",
            on_behalf_of=b.id,
        )
        art.claim(
            f"{r}-{b_head.id}-office",
            "office holding",
            [
                Quote(
                    f"Foreign Minister {b_head.label}",
                    art.text.index(f"Foreign Minister {b_head.label}"),
                )
            ],
            holder=b_head.id,
            office=b.offices["foreign-minister"],
        )

        # --- context ----------------------------------------------------------------------
        art.paragraph()
        if k == 1:
            years = rng.randint(4, 10)
            signed = rd.day.year - years - rng.randint(2, 6)
            left = rd.day.year - years
            accord = f"{a.name}–{b.name} Framework Accord"
            short = f"{a.name[0]}{b.name[0]}FA"
            s = art.say(
                f"The talks mark the revival of negotiations after years of impasse since the "
                f"withdrawal of {a.name} from the {signed} {accord} ({short}) in {left}."
            )
            agreement = art.claim(
                f"{p}-framework-accord",
                "agreement",
                [s.q(f"the {signed} {accord} ({short})")],
                label=accord,
                short_name=short,
                date=str(signed),
            )
            withdrawal = art.claim(
                f"{p}-{a.id}-withdrawal",
                "context event",
                [s.q(f"withdrawal of {a.name} from the {signed} {accord} ({short}) in {left}")],
                label=f"Withdrawal of {a.name} from the {short}",
                date=str(left),
                actor=[a.id],
                concerns=[agreement],
                context_for=self.process,
                relation="background",
            )
            art.claim(
                f"{p}-impasse",
                "context event",
                [s.q(f"after years of impasse since the withdrawal of {a.name}")],
                label=f"Years of impasse since the withdrawal of {a.name}",
                follows=withdrawal,
                context_for=self.process,
                relation="interruption",
            )
        else:
            weeks = rng.randint(3, 9)
            incident = rng.choice(INCIDENTS)
            happened = self.rounds[k - 2].day + dt.timedelta(days=rng.randint(1, 10))
            s = art.say(
                f"The talks resumed after a {NUMBERS[weeks - 1]}-week pause that followed "
                f"{incident} in the {b.place[1]} in {_month(happened)}."
            )
            event = art.claim(
                f"{r}-incident",
                "context event",
                [s.q(f"{incident} in the {b.place[1]} in {_month(happened)}")],
                label=f"{incident.capitalize()} in the {b.place[1]}",
                date=happened.isoformat()[:7],
                date_wording=_month(happened),
                location=b.place[0],
                concerns=[b.place[0]],
                context_for=self.process,
                relation="background",
            )
            art.claim(
                f"{r}-pause",
                "context event",
                [s.q(f"The talks resumed after a {NUMBERS[weeks - 1]}-week pause")],
                label=f"Pause in the talks after {incident}",
                duration=f"P{weeks}W",
                duration_wording=f"{NUMBERS[weeks - 1]}-week",
                follows=event,
                context_for=self.process,
                relation="interruption",
            )
        s = art.say(
            f"The round took place amid heightened regional tensions—including naval exercises "
            f"by {b.name} in the {b.place[1]} on the same day."
        )
        tensions = art.claim(
            f"{r}-tensions",
            "context event",
            [s.q("amid heightened regional tensions")],
            label=f"Heightened regional tensions around the {ORDINALS[k - 1]} round",
            context_for=self.process,
            relation="concurrent-tension",
        )
        art.claim(
            f"{r}-exercises",
            "context event",
            [s.q(f"naval exercises by {b.name} in the {b.place[1]} on the same day")],
            label=f"Naval exercises by {b.name} in the {b.place[1]}",
            date=rd.date if rd.full_date else "",
            date_wording="on the same day" if rd.full_date else "",
            location=b.place[0],
            actor=[b.id],
            part_of=tensions,
            context_for=self.process,
            relation="concurrent-tension",
        )
        art.say(f"Security was tightened across {rd.city.name} for the duration of the talks.")
        round_evidence.append(Quote(rd.city.name, lead.start + lead.text.index(rd.city.name)))

        # --- positions --------------------------------------------------------------------
        art.paragraph()
        s = art.say(
            f"{a.name} insists the negotiations remain strictly focused on {phrase(issue(0))}, "
            f"demands concessions on {phrase(issue(1))} and excludes any discussion of "
            f"{phrase(issue(2))}."
        )
        t = art.say(
            f"{b.name} officials have indicated they will put forward proposals on "
            f"{phrase(issue(3))}, could accept terms on {phrase(issue(4))}, but reject demands "
            f"on {phrase(issue(5))}."
        )
        for j, (stance, sentence, holder) in enumerate(
            (("insists-on", s, a), ("demands", s, a), ("excludes", s, a),
             ("proposes", t, b), ("accepts", t, b), ("rejects", t, b))
        ):  # fmt: skip
            art.claim(
                f"{r}-{holder.id}-{stance}-{issue(j)}",
                "position",
                [sentence.q()],
                holder=holder.id,
                issue=issue(j),
                stance=stance,
                in_=self.process if j % 2 == 0 else rd.id,
                wording=phrase(issue(j)),
                according_to=[f"{b.id}-officials"] if holder is b else [],
            )

        # --- deadlines and commitments ----------------------------------------------------
        within, wording = rng.choice(DEADLINES)
        s = art.say(
            f"Public statements from both sides reflect cautious optimism, with expectations "
            f"that {a.name} will submit more detailed proposals {wording} to narrow remaining "
            f"differences."
        )
        art.claim(
            f"{r}-optimism",
            "assessment",
            [s.q("Public statements from both sides reflect cautious optimism")],
            by=[a.id, b.id],
            of=rd.id,
            characterisation=["cautious optimism"],
        )
        art.claim(
            f"{r}-{a.id}-proposals",
            "commitment",
            [s.q(f"{a.name} will submit more detailed proposals {wording}")],
            label=f"{a.name} to submit detailed proposals {wording}",
            by=[a.id],
            action="Submit more detailed proposals to narrow remaining differences.",
            of=rd.id,
            deadline={"within": within, "from": rd.id, "wording": wording} if rd.full_date else {},
            according_to=[anonymous],
        )
        quoted = rng.choice(MEDIA_WORDS)
        s = art.say(f'{b.name} state media quoted {b_head.last} as saying: "{quoted}"')
        art.claim(
            f"{r}-{media}-quote",
            "statement",
            [s.q()],
            speaker=b_head.id,
            words=quoted,
            channel="media-report",
            not_before=rd.date,
            according_to=[media],
        )
        if prev is not None:
            s = art.say(
                f"{b.name} said it had honoured the pledge made in {prev.city.name} to work "
                f"on draft texts."
            )
            art.claim(
                f"{r}-{b.id}-honoured-pledge",
                "commitment",
                [s.q()],
                label=f"{b.name} honoured its pledge from the {ORDINALS[prev.number - 1]} round",
                by=[b.id],
                action="Work on draft texts, as pledged in the previous round.",
                of=f"{p}-r{prev.number}-drafting-decision",
                note=f"Cites the drafting decision of the {ORDINALS[prev.number - 1]} round, "
                "recorded from an earlier article.",
            )

        self._model_paragraph(art, rd, fmt, r, issue(0))

        # --- analysts, divergences, what comes next ---------------------------------------
        art.paragraph()
        note = rng.choice(ANALYST_NOTES)
        core = [issue(6), issue(7), issue(8)]
        phrases = [phrase(c) for c in core]
        s = art.say(
            f"Analysts note that while agreement on guiding principles {note}, bridging core "
            f"divergences—particularly on {phrases[0]}, {phrases[1]}, and {phrases[2]}—will "
            "remain challenging amid ongoing geopolitical pressures."
        )
        divergences = s.q(
            f"bridging core divergences—particularly on {phrases[0]}, {phrases[1]}, and "
            f"{phrases[2]}—will remain challenging"
        )
        for c in core:
            art.claim(
                f"{r}-divergence-{c}",
                "divergence",
                [divergences],
                issue=c,
                between=[a.id, b.id],
                noted_by="analysts",
                in_=self.process,
                core="yes",
            )
        art.claim(
            f"{r}-analysts-assessment",
            "assessment",
            [s.q(f"agreement on guiding principles {note}")],
            by=["analysts"],
            of=rd.id,
            characterisation=[f"agreement on guiding principles {note}"],
        )
        t = art.say(f"{b_head.last} acknowledged that differences over {phrase(issue(9))} persist.")
        art.claim(
            f"{r}-divergence-{issue(9)}",
            "divergence",
            [t.q()],
            issue=issue(9),
            between=[a.id, b.id],
            noted_by=b_head.id,
            in_=rd.id,
            core="no",
        )
        if last:
            s = art.say(
                f"No specific date has been set for a {ORDINALS[k]} round, which diplomats "
                f"expect in {_month(self.next_day)}."
            )
            art.claim(
                f"{p}-round-{k + 1}",
                "round",
                [s.q(f"No specific date has been set for a {ORDINALS[k]} round")],
                label=f"{ORDINALS[k].capitalize()} round of {a.name}–{b.name} talks (planned)",
                part_of=self.process,
                number=str(k + 1),
                status="planned",
                follows=rd.id,
            )
        else:
            s = art.say(
                "After exchanging the texts, the timing of the next round of talks will be "
                "determined."
            )
        art.claim(
            f"{r}-next-round-timing",
            "outcome",
            [s.q()],
            label=f"Timing of the round after the {ORDINALS[k - 1]} to be determined",
            of=rd.id,
            parties=[a.id, b.id],
        )
        s = art.say(
            "The coming weeks will be critical in determining whether momentum can be "
            "sustained toward a viable framework."
        )
        art.claim(
            f"{r}-analysts-outlook",
            "assessment",
            [s.q()],
            by=["analysts"],
            of=self.process,
            characterisation=["the coming weeks will be critical"],
            compared_with=prev.id if prev else "",
        )

        # --- the round itself, with everything that cites it -------------------------------
        art.claims.insert(
            1 if k == 1 else 0,
            Claim(
                rd.id,
                "round",
                {
                    k: v
                    for k, v in (
                        ("label", f"{ORDINALS[k - 1].capitalize()} round of {a.name}–{b.name} "
                                  f"talks ({rd.city.name})"),
                        ("part of", self.process),
                        ("number", str(k)),
                        ("status", "held"),
                        ("date", rd.date),
                        ("date wording", _date_wording(rd.day) if rd.full_date
                         else f"mid-{calendar.month_name[rd.day.month]}"),
                        ("city", rd.city.id),
                        ("venue", rd.venue[0]),
                        ("format", fmt),
                        ("duration", f"PT{hours}H"),
                        ("duration wording", duration_words),
                        ("follows", prev.id if prev else ""),
                        ("focus", focus),
                    )
                    if v
                },
                [*round_evidence, Quote(rd.venue[1], art.text.index(rd.venue[1]))],
            ),
        )  # fmt: skip
        return art


# --- writing YAML by hand: plain where safe, single-quoted otherwise -------------------

_PLAIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9 .,'’()\-–—/]*")


def _delegation(
    art: Article,
    round_key: str,
    round_id: str,
    ordinal: str,
    party: State,
    head: Person,
    quote: Quote,
    roles: list[str],
    capacity: str,
) -> None:
    """A party's delegation to a round and its head's participation, both cited by the
    sentence that names the head."""
    delegation = f"{round_key}-{party.id}-delegation"
    art.claim(
        delegation,
        "delegation",
        [quote],
        label=f"Delegation of {party.name} to the {ordinal} round",
        of=party.id,
        at=round_id,
        head=head.id,
    )
    art.claim(
        f"{round_key}-{head.id}-heads-delegation",
        "participation",
        [quote],
        agent=head.id,
        event=round_id,
        roles=roles,
        delegation=delegation,
        on_behalf_of=party.id,
        capacity=capacity,
    )


def _scalar(value: str, flow: bool = False) -> str:
    plain = _PLAIN.fullmatch(value) and value == value.strip() and not value.endswith(",")
    if plain and not (flow and "," in value):
        return value
    return "'" + value.replace("'", "''") + "'"


def _entries(values: dict[str, Value], indent: str) -> Iterator[str]:
    for key, value in values.items():
        if isinstance(value, dict):
            inner = ", ".join(f"{k}: {_scalar(v, flow=True)}" for k, v in value.items())
            yield f"{indent}{key}: {{{inner}}}"
        elif isinstance(value, list):
            items = [_scalar(v, flow=True) for v in value]
            if sum(len(i) for i in items) < 60:
                yield f"{indent}{key}: [{', '.join(items)}]"
            else:
                yield f"{indent}{key}:"
                yield from (f"{indent}  - {_scalar(v)}" for v in value)
        else:
            yield f"{indent}{key}: {_scalar(value)}"


def _evidence(text: str, quotes: list[Quote]) -> Iterator[str]:
    seen: set[Quote] = set()
    for quote in quotes:
        if quote in seen:
            continue
        seen.add(quote)
        assert text[quote.start : quote.start + len(quote.text)] == quote.text, quote
        starts = [m.start() for m in re.finditer(re.escape(quote.text), text)]
        if len(starts) == 1:
            yield f"      - {_scalar(quote.text)}"
        else:
            yield f"      - quote: {_scalar(quote.text)}"
            yield f"        occurrence: {starts.index(quote.start) + 1}"


def annotation_yaml(metadata: dict[str, Value], article: Article) -> str:
    text = article.text
    lines = [
        "# Synthetic benchmark document written by bench/generate.py: invented states,",
        "# people and events. See docs/annotations.md for the format.",
        "",
        "document:",
        *_entries(metadata, "  "),
        "",
        "claims:",
    ]
    for claim in article.claims:
        lines += ["", f"  - id: {claim.id}", f"    type: {claim.type}"]
        lines += _entries(claim.fields, "    ")
        lines.append("    evidence:")
        lines += _evidence(text, claim.evidence)
    return "\n".join(lines) + "\n"


def registry_yaml(world: World) -> str:
    lines = [
        MARK + ": every state, person and",
        "# organisation here is invented, so none has a Wikidata id.",
        "",
        "entities:",
    ]
    for entity in world.entities:
        values: dict[str, Value] = {}
        for key, value in entity.items():
            values[key] = value if isinstance(value, list) else str(value)
        first, *rest = list(_entries(values, "    "))
        lines += ["", "  - " + first.lstrip(), *rest]
    return "\n".join(lines) + "\n"


# --- the corpus ------------------------------------------------------------------------


def generate(root: Path, negotiations: int, seed: int = 0, ontology_dir: Path = ONTOLOGY) -> None:
    """Write a complete seeds folder for ``negotiations`` negotiations into ``root``,
    using the concepts of the ontology in ``ontology_dir``."""
    rng = random.Random(seed)
    vocabulary = Vocabulary.read(ontology_dir)
    for scheme, slugs in MEANINGFUL.items():
        vocabulary.require(scheme, *slugs)
    world = World(rng, max(6, min(len(STATE_HEADS) * len(STATE_TAILS), negotiations // 2 + 6)),
                  vocabulary)  # fmt: skip
    documents = root / "documents"
    if root.exists() and any(root.iterdir()):
        registry = root / "registry.yaml"
        if not (registry.exists() and registry.read_text(encoding="utf-8").startswith(MARK)):
            raise FileExistsError(f"{root} is not empty and not a generated corpus: not replaced")
        shutil.rmtree(root)
    documents.mkdir(parents=True)
    used: dict[str, set[str]] = {}
    last: tuple[Path, dict[str, Value], Article, Negotiation, Round] | None = None
    number = 0
    for index in range(negotiations):
        offset = (7 * index) % len(vocabulary.slugs("issue"))
        negotiation = Negotiation(world, rng, index, offset)
        for rd, article in negotiation.articles(offset):
            if last is not None:
                _write(*last[:3])
            number += 1
            a, b = negotiation.a, negotiation.b
            name = f"{number:05d}-{a.id}-{b.id}-round-{rd.number}"
            received = hashlib.sha256(f"{seed}-{number}".encode()).hexdigest()[:16]
            known = rng.random() < 0.5
            metadata: dict[str, Value] = {
                "title": f"{a.name} and {b.name} report progress in {ORDINALS[rd.number - 1]} "
                f"round of nuclear talks in {rd.city.name}",
                "reports": rd.id,
                "events date": rd.date,
                "language": "en",
                "publisher": "Synthetic Wire" if known else "unknown",
                "url": f"https://example.org/news/{name}" if known else "unknown",
                "publication date": (rd.day + dt.timedelta(days=1)).isoformat()
                if known
                else "unknown",
                "received as": f"{number:03d}_{received}.txt",
                "note": f"Synthetic article {number}, written by bench/generate.py (seed {seed}).",
            }
            _count_concepts(article, used)
            last = (documents / name, metadata, article, negotiation, rd)
    if last is not None:
        unused = {s: [c for c in vocabulary.slugs(s) if c not in used.get(s, set())]
                  for s in OTHER_CONCEPTS}  # fmt: skip
        _other_concepts(last[2], last[3], last[4], unused)
        _write(*last[:3])
    (root / "registry.yaml").write_text(registry_yaml(world), encoding="utf-8")
    (root / "wikidata-verified.tsv").write_text(
        "# Synthetic corpus: no entity is linked to Wikidata.\nlabel\tqid\tnote\n",
        encoding="utf-8",
    )


def _write(path: Path, metadata: dict[str, Value], article: Article) -> None:
    path.with_suffix(".txt").write_text(article.text, encoding="utf-8")
    path.with_suffix(".yaml").write_text(annotation_yaml(metadata, article), encoding="utf-8")


# --- every concept used: claims for those the articles did not use ---------------------


def _count_concepts(article: Article, used: dict[str, set[str]]) -> None:
    """Add the concepts ``article``'s claims name to ``used``, by scheme."""
    from kg.claimtypes import CLAIM_TYPES_BY_NAME, ValueKind

    for claim in article.claims:
        for spec in CLAIM_TYPES_BY_NAME[claim.type].fields:
            value = claim.fields.get(spec.key)
            if spec.kind is ValueKind.CONCEPT and value:
                values = value if isinstance(value, list) else [str(value)]
                used.setdefault(spec.scheme, set()).update(values)


def _other_issue(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    s = art.say(f"{n.a.name} also demands progress on {n.world.vocabulary.label('issue', slug)}.")
    art.claim(f"{n.p}-other-{n.a.id}-demands-{slug}", "position", [s.q()], holder=n.a.id,
              issue=slug, stance="demands", in_=n.process)  # fmt: skip


def _other_stance(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    v, issue = n.world.vocabulary, n.issues[0]
    s = art.say(f"{n.b.name} {v.label('stance', slug)} {v.label('issue', issue)}, officials say.")
    art.claim(f"{n.p}-other-{n.b.id}-{slug}-{issue}", "position", [s.q()], holder=n.b.id,
              issue=issue, stance=slug, in_=rd.id)  # fmt: skip


def _other_role(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    person = n.world.person()
    s = art.say(f"{person.label} took part as {n.world.vocabulary.label('role', slug)}.")
    art.claim(f"{n.p}-other-{person.id}-{slug}", "participation", [s.q()], agent=person.id,
              event=rd.id, roles=[slug])  # fmt: skip


def _other_channel(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    speaker, words = n.b.people["spokesperson"], "We remain committed to these talks."
    s = art.say(f'{speaker.label} said ({n.world.vocabulary.label("channel", slug)}): "{words}"')
    art.claim(f"{n.p}-other-statement-{slug}", "statement", [s.q()], speaker=speaker.id,
              words=words, channel=slug, not_before=rd.date)  # fmt: skip


def _other_round(art: Article, n: Negotiation, scheme: str, slug: str) -> None:
    label = n.world.vocabulary.label(scheme, slug)
    s = art.say(f"Diplomats also spoke of a further round of the talks ({scheme}: {label}).")
    art.claim(f"{n.p}-other-round-{scheme}-{slug}", "round", [s.q()],
              label=f"Further round of {n.a.name}–{n.b.name} talks ({label})",
              part_of=n.process, status=slug if scheme == "status" else "planned",
              format=slug if scheme == "format" else "")  # fmt: skip


def _other_relation(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    label = n.world.vocabulary.label("relation", slug)
    s = art.say(f"Observers also cited a debate in the parliament of {n.a.name} ({label}).")
    art.claim(f"{n.p}-other-event-{slug}", "context event", [s.q()],
              label=f"Debate in the parliament of {n.a.name} ({label})",
              context_for=n.process, relation=slug, actor=[n.a.id])  # fmt: skip


def _other_action(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    s = art.say(f"Observers also reported that {n.a.name} would "
                f"{n.world.vocabulary.label('action-type', slug)}.")  # fmt: skip
    art.claim(f"{n.p}-other-action-{slug}", "action", [s.q()], by=[n.a.id], action=slug,
              in_=n.process)  # fmt: skip


def _other_proposal(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    label = n.world.vocabulary.label("proposal", slug)
    s = art.say(f"A joint water panel was also mentioned ({label}).")
    art.claim(f"{n.p}-other-body-{slug}", "proposed body", [s.q()],
              label=f"Joint panel of the {n.a.name}–{n.b.name} talks ({label})", status=slug,
              in_=n.process)  # fmt: skip


def _other_rank(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    person = n.world.person()
    s = art.say(f"{person.label} ({n.world.vocabulary.label('rank', slug)}) attended.")
    art.claim(f"{n.p}-other-rank-{person.id}", "rank", [s.q()], holder=person.id, rank=slug)


def _other_unit(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    unit, issue = n.world.vocabulary.label("unit", slug), n.issues[0]
    s = art.say(f"{n.b.name} asks for a figure of 12 ({unit}).")
    art.claim(f"{n.p}-other-{n.b.id}-unit-{slug}", "position", [s.q()], holder=n.b.id,
              issue=issue, stance="demands", quantities={"value": "12", "unit": slug,
                                                         "of": "the figure asked for"})  # fmt: skip


def _other_fulfilment(art: Article, n: Negotiation, rd: Round, slug: str) -> None:
    label = n.world.vocabulary.label("fulfilment", slug)
    s = art.say(f"Its promise to publish its proposals was, by one account, {label}.")
    art.claim(f"{n.p}-other-fulfilment-{slug}", "fulfilment", [s.q()],
              of=f"{n.p}-r{rd.number}-{n.a.id}-publish", status=slug)  # fmt: skip


# Per scheme, a claim that uses one of its concepts: every scheme has one.
OTHER_CONCEPTS: dict[str, Callable[[Article, Negotiation, Round, str], None]] = {
    "action-type": _other_action,
    "proposal": _other_proposal,
    "rank": _other_rank,
    "unit": _other_unit,
    "fulfilment": _other_fulfilment,
    "issue": _other_issue,
    "stance": _other_stance,
    "role": _other_role,
    "channel": _other_channel,
    "format": lambda art, n, rd, slug: _other_round(art, n, "format", slug),
    "status": lambda art, n, rd, slug: _other_round(art, n, "status", slug),
    "relation": _other_relation,
}


def _other_concepts(
    art: Article, negotiation: Negotiation, rd: Round, unused: dict[str, list[str]]
) -> None:
    """A last paragraph that uses, one claim each, the concepts the corpus has not used
    (a concept added to the ontology, say)."""
    if not any(unused.values()):
        return
    art.paragraph()
    for scheme, slugs in unused.items():
        for slug in slugs:
            OTHER_CONCEPTS[scheme](art, negotiation, rd, slug)


def count_triples(root: Path) -> int:
    """Compile the corpus (as ``kg build`` does) and count its triples."""
    from kg import seeds
    from kg.compile import compile_seeds
    from kg.namespaces import DEFAULT_BASE_IRI, Namespaces
    from kg.vocabulary import load_turtle

    ns = Namespaces(DEFAULT_BASE_IRI)
    return len(compile_seeds(seeds.load(root), load_turtle(ROOT / "ontology", ns), ns))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--negotiations", type=int, required=True, help="how many negotiations")
    parser.add_argument(
        "--out", type=Path, required=True, help="the seeds folder to write (replaced)"
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--no-count", action="store_true", help="do not compile to count triples")
    args = parser.parse_args(argv)
    generate(args.out, args.negotiations, args.seed)
    documents = len(list((args.out / "documents").glob("*.txt")))
    print(f"wrote {args.out}: {args.negotiations} negotiations, {documents} documents")
    if not args.no_count:
        print(f"{count_triples(args.out):,} triples compiled")
    return 0


if __name__ == "__main__":
    sys.exit(main())

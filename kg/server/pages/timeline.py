"""The dossier's timeline, laid out on the server as SVG geometry (so it prints and needs
no script): the negotiation's period from its first dated round to its last round or
deadline, one bar per round spanning the whole interval its date stands for (a month
for "earlier in February", a day for 17 February), deadlines as diamonds, dated
context events of that period as ticks, and the rounds without a date at the end.

Coordinates are in the SVG's own units (``WIDTH`` wide); the template draws them.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, replace

from kg.server.pages.dossier import STATUS_WORDS, Dossier
from kg.server.pages.terms import Term
from kg.server.pages.when import When

WIDTH = 1000
LEFT, RIGHT = 20, 150  # margins: the right one holds the undated rounds
MIN_BAR = 8
UNDATED = "date not set"


LANE = 44  # height of one lane of rounds: label above, bar below
CHAR = 7.5  # width of one character of a label, roughly, in SVG units


@dataclass(frozen=True)
class Mark:
    kind: str  # "round", "planned", "deadline", "context", "interruption"
    term: Term
    x: float
    width: float
    label: str
    when: str  # the date as a reader says it, or "date not set"
    lane: int = 0  # rounds whose bars or labels would overlap go in lanes of their own
    status: str = ""  # a deadline's commitment's: a key of dossier.STATUS_WORDS

    @property
    def caption(self) -> str:
        """What a deadline's diamond says under the axis."""
        if self.status in ("", "open", "due"):
            return f"due {self.when}"
        return f"{STATUS_WORDS[self.status]} · {self.when}"

    @property
    def center(self) -> float:
        return self.x + self.width / 2

    @property
    def extent(self) -> tuple[float, float]:
        half = len(self.label) * CHAR / 2
        return min(self.x, self.center - half), max(self.x + self.width, self.center + half)

    @property
    def top(self) -> float:
        return 12 + self.lane * LANE


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Strip:
    marks: tuple[Mark, ...]
    ticks: tuple[Tick, ...]
    first: dt.date
    last: dt.date
    lanes: int
    width: int = WIDTH

    @property
    def axis(self) -> float:
        """The y of the time axis, under the lanes of rounds."""
        return 12 + self.lanes * LANE + 6

    @property
    def height(self) -> int:
        return int(self.axis + 56)

    @property
    def axis_end(self) -> float:
        return WIDTH - RIGHT

    @property
    def undated(self) -> bool:
        return any(m.when == UNDATED for m in self.marks)


def strip(d: Dossier) -> Strip | None:
    """The strip of ``d``; None when no round has a date."""
    dated = [r for r in d.rounds if r.when is not None]
    if not dated:
        return None
    spans: list[When] = [r.when for r in dated if r.when is not None]
    spans += [c.deadline for c in d.commitments if c.deadline is not None]
    first = min(s.first for s in spans)
    last = max(s.last for s in spans)
    first, last = first.replace(day=1), _month_end(last)
    days = max((last - first).days + 1, 1)
    scale = (WIDTH - LEFT - RIGHT) / days

    def x_of(day: dt.date) -> float:
        return LEFT + (day - first).days * scale

    marks: list[Mark] = []
    for c in d.context:
        if c.when is not None and first <= c.when.first and c.when.last <= last:
            marks.append(Mark("context", c.term, x_of(c.when.first),
                              max((c.when.last - c.when.first).days + 1, 1) * scale,
                              c.term.text, c.when.text))  # fmt: skip
    for r in d.rounds:
        label = f"Round {r.number}" if r.number is not None else r.term.text
        if r.when is None:
            marks.append(Mark("planned", r.term, WIDTH - RIGHT + 60, MIN_BAR, label,
                              UNDATED))  # fmt: skip
            continue
        width = max(((r.when.last - r.when.first).days + 1) * scale, MIN_BAR)
        kind = "planned" if r.planned else "round"
        marks.append(Mark(kind, r.term, x_of(r.when.first), width, label, r.when.text))
        for part in r.parts:
            if part.kind == "interruption" and part.when is not None:
                marks.append(Mark("interruption", part.term, x_of(part.when.first), scale,
                                  part.term.text, part.when.text))  # fmt: skip
    for commitment in d.commitments:
        if (deadline := commitment.deadline) is not None:
            marks.append(Mark("deadline", commitment.term, x_of(deadline.last), MIN_BAR,
                              commitment.term.text, deadline.text,
                              status=commitment.status))  # fmt: skip
    laid = _lanes(marks)
    lanes = 1 + max((m.lane for m in laid), default=0)
    return Strip(tuple(laid), tuple(_ticks(first, last, x_of)), first, last, lanes)


def _lanes(marks: list[Mark]) -> list[Mark]:
    """Each round bar in the first lane where it overlaps nothing, widest first (a month
    above the days inside it)."""
    placed: list[Mark] = []
    ends: list[list[tuple[float, float]]] = []
    bars = sorted((m for m in marks if m.kind in ("round", "planned")), key=lambda m: -m.width)
    for mark in bars:
        left, right = mark.extent
        lane = 0
        while lane < len(ends) and any(a < right + 6 and left < b + 6 for a, b in ends[lane]):
            lane += 1
        if lane == len(ends):
            ends.append([])
        ends[lane].append((left, right))
        placed.append(replace(mark, lane=lane))
    return placed + [m for m in marks if m.kind not in ("round", "planned")]


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _ticks(first: dt.date, last: dt.date, x_of: object) -> list[Tick]:
    """One tick per month (per year when the period is longer than two years)."""
    assert callable(x_of)
    ticks = []
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    step = 12 if months > 24 else (3 if months > 12 else 1)
    day = first
    while day <= last:
        if (day.month - 1) % step == 0 or day == first:
            label = str(day.year) if step == 12 else f"{calendar.month_abbr[day.month]} {day.year}"
            ticks.append(Tick(x_of(day), label))
        day = _month_end(day) + dt.timedelta(days=1)
    return ticks


def data(d: Dossier) -> dict[str, object]:
    """The timeline for the interactive view (``static/dossier.js``, vis-timeline), as
    JSON in a data attribute of the picture: one lane each for the rounds, their sessions
    and interruptions, the negotiating moves, the deadlines with what became of them, and
    the context events; each item spans the days its date stands for (``end`` is the day
    after the last, exclusive) and links to its page. Items without a date are left out
    (the list under the picture has them)."""
    items: list[dict[str, object]] = []

    def add(group: str, kind: str, term: Term, at: When | None, text: str = "",
            point: bool = False) -> None:  # fmt: skip
        if at is None:
            return
        start = (at.last if point else at.first).isoformat()
        item: dict[str, object] = {
            "id": f"i{len(items)}", "group": group, "kind": kind, "start": start,
            "label": text or term.text, "title": f"{term.text} — {at.text}",
            "href": term.href or "",
        }  # fmt: skip
        if not point:
            item["end"] = (at.last + dt.timedelta(days=1)).isoformat()
        items.append(item)

    for r in d.rounds:
        label = f"Round {r.number}" if r.number is not None else r.term.text
        add("rounds", "planned" if r.planned else "round", r.term, r.when, label)
        for part in r.parts:
            add("parts", part.kind, part.term, part.when)
    for move in d.moves:
        add("moves", "move", move.term, move.when, point=True)
    for c in d.commitments:
        add("deadlines", f"deadline {c.status}", c.term, c.deadline,
            f"{c.term.text} ({c.status_text})", point=True)  # fmt: skip
        for report in c.reports:
            status = report.status.text if report.status else "reported"
            add("deadlines", f"report {report.slug}", report.term, report.when,
                f"{status}: {c.term.text}", point=True)  # fmt: skip
    for e in d.context:
        add("context", "context", e.term, e.when)
    groups = [
        {"id": g, "label": label} for g, label in GROUPS if any(i["group"] == g for i in items)
    ]
    return {"groups": groups, "items": items}


GROUPS = (
    ("rounds", "Rounds"),
    ("parts", "Sessions, interruptions"),
    ("moves", "Moves"),
    ("deadlines", "Deadlines, reports"),
    ("context", "Context"),
)

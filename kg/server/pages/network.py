"""The dossier's participants network, laid out on the server as SVG geometry (it prints
and needs no script): each party on a side of its own (alternately left and right)
with its delegations and their members next to it; mediators and everyone outside the
parties' delegations in the middle. Edges say who led or sat in which delegation, whom
a delegation represented, who mediated, who acted for whom, and who met whom (side
meetings, exchanges of notes). Every node links to its page.
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.server.pages.dossier import Dossier, Participant
from kg.server.pages.terms import Term

WIDTH = 1000
ROW = 78  # vertical room of one node with its label
TOP = 40
# x of the columns: party, delegation, people, (middle), people, delegation, party
LEFT = (70, 235, 390)
MIDDLE = 500
RIGHT = tuple(WIDTH - x for x in LEFT)
SPACING = 190  # between nodes side by side in the middle
PER_ROW = 4


@dataclass(frozen=True)
class Node:
    term: Term
    kind: str  # "party", "delegation", "person", "mediator", "other"
    x: float
    y: float

    @property
    def lines(self) -> tuple[str, ...]:
        """The label in at most two lines of about :data:`LINE` characters."""
        return wrap(self.term.text)


LINE = 20


def wrap(text: str) -> tuple[str, ...]:
    """
    >>> wrap("Iranian delegation to the Geneva round")
    ('Iranian delegation', 'to the Geneva round')
    >>> wrap("Experts in nuclear, legal and economic fields")
    ('Experts in nuclear,', 'legal and economic…')
    """
    if len(text) <= LINE:
        return (text,)
    cut = text.rfind(" ", 0, LINE + 1)
    first, rest = (text[:cut], text[cut + 1 :]) if cut > 0 else (text[:LINE], text[LINE:])
    if len(rest) > LINE:
        rest = rest[: rest.rfind(" ", 0, LINE) if " " in rest[:LINE] else LINE - 1] + "…"
    return first, rest


@dataclass(frozen=True)
class Edge:
    source: Node
    target: Node
    kind: str  # "leads", "member", "represents", "mediates", "for", "met", "notes"
    label: str


@dataclass(frozen=True)
class Network:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    height: int
    width: int = WIDTH


def network(d: Dossier) -> Network | None:
    """The network of ``d``; None when nobody took part."""
    if not d.participants and not d.delegations and not d.parties:
        return None
    mediators = {m.value for m in d.mediators}
    parties = [p for p in d.parties if p.value not in mediators]
    party_of: dict[str, Term] = {}  # agent or delegation -> the negotiating party
    for delegation, _event, party, _head in d.delegations:
        if party is not None:
            party_of[delegation.value] = party
    for p in d.participants:
        party = p.party if p.party is not None else _via(p, party_of)
        if party in parties and p.agent.value not in mediators:
            party_of.setdefault(p.agent.value, party)
    # Those acted for who are no party (an organisation a participant represents) join
    # the others.
    acted_for = (p.party for p in d.participants if p.party is not None)
    others = _unique(
        [p.agent for p in d.participants if p.agent.value not in party_of]
        + [a for a in acted_for if a not in parties and a.value not in mediators]
    )
    middle = [a for a in others if a.value in mediators]
    outside = [a for a in others if a.value not in mediators and a not in parties]
    place: dict[str, Node] = {}
    # The mediators on top, between the parties.
    for i, agent in enumerate(middle):
        place[agent.value] = Node(agent, "mediator", _spread(i, len(middle)), TOP)
    start = TOP + (ROW if middle else 0)
    heights: list[float] = [start, start]
    for index, party in enumerate(parties):
        side = index % 2
        columns = LEFT if side == 0 else RIGHT
        y = heights[side]
        delegations = [t for t, _e, p, _h in d.delegations if p == party]
        people = _unique(
            p.agent for p in d.participants
            if party_of.get(p.agent.value) == party and p.agent.value != party.value
        )  # fmt: skip
        rows = max(1, len(delegations), len(people))
        place.setdefault(party.value, Node(party, "party", columns[0], y + (rows - 1) * ROW / 2))
        for i, delegation in enumerate(delegations):
            offset = (rows - len(delegations)) * ROW / 2
            place.setdefault(
                delegation.value, Node(delegation, "delegation", columns[1], y + offset + i * ROW)
            )
        for i, person in enumerate(people):
            offset = (rows - len(people)) * ROW / 2
            place.setdefault(person.value, Node(person, "person", columns[2], y + offset + i * ROW))
        heights[side] = y + rows * ROW
    # Everyone else (consulted, experts, observers) underneath, between the parties.
    below = max(heights)
    for i, agent in enumerate(outside):
        row, column = divmod(i, PER_ROW)
        count = min(PER_ROW, len(outside) - row * PER_ROW)
        place.setdefault(
            agent.value, Node(agent, "other", _spread(column, count), below + row * ROW)
        )
    bottom = below + ((len(outside) + PER_ROW - 1) // PER_ROW) * ROW
    return Network(tuple(place.values()), tuple(_edges(d, place, parties)), int(bottom + 10))


def _spread(index: int, count: int) -> float:
    """The x of the ``index``-th of ``count`` nodes side by side around the middle."""
    return MIDDLE + (index - (count - 1) / 2) * SPACING


def _via(p: Participant, party_of: dict[str, Term]) -> Term | None:
    return party_of.get(p.delegation.value) if p.delegation is not None else None


def _unique(terms: object) -> list[Term]:
    assert hasattr(terms, "__iter__")
    return list(dict.fromkeys(terms))


def _edges(d: Dossier, place: dict[str, Node], parties: list[Term]) -> list[Edge]:
    edges: dict[tuple[str, str, str], Edge] = {}

    def add(a: Term | None, b: Term | None, kind: str, label: str) -> None:
        if a is None or b is None or a.value not in place or b.value not in place or a == b:
            return
        edges.setdefault(
            (a.value, b.value, kind), Edge(place[a.value], place[b.value], kind, label)
        )

    heads = {(h.value, t.value) for t, _e, _p, h in d.delegations if h is not None}
    for delegation, _event, party, _head in d.delegations:
        add(
            delegation,
            party,
            "represents",
            f"{delegation.text} represents {party.text if party else ''}",
        )
    for p in d.participants:
        if p.delegation is not None:
            led = (p.agent.value, p.delegation.value) in heads
            add(p.agent, p.delegation, "leads" if led else "member",
                f"{p.agent.text} {'leads' if led else 'is in'} {p.delegation.text}")  # fmt: skip
        elif p.party is not None:
            add(p.agent, p.party, "for", f"{p.agent.text} acts for {p.party.text}")
    for mediator in d.mediators:
        for party in parties:
            add(mediator, party, "mediates", f"{mediator.text} mediates with {party.text}")
    for e in d.encounters:
        kind = "met" if e.kind == "met" else "notes"
        for i, a in enumerate(e.agents):
            for b in e.agents[i + 1 :]:
                add(a, b, kind, f"{a.text} and {b.text}: {e.term.text}")
    return list(edges.values())


def data(net: Network) -> dict[str, object]:
    """The network for the interactive view (``static/dossier.js``, Cytoscape.js): the
    same nodes at the same places, and the same edges, as JSON in a data attribute of
    the picture (the Content-Security-Policy allows no inline script). ``href`` is the
    node's page, a path from the site's root, or an outside URL."""
    ids = {node.term.value: f"n{i}" for i, node in enumerate(net.nodes)}
    return {
        "nodes": [
            {"id": ids[n.term.value], "label": n.term.text, "kind": n.kind,
             "href": n.term.href or "", "x": n.x, "y": n.y}
            for n in net.nodes
        ],
        "edges": [
            {"source": ids[e.source.term.value], "target": ids[e.target.term.value],
             "kind": e.kind, "label": e.label}
            for e in net.edges
        ],
    }  # fmt: skip

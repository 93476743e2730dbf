"""What one document looks up of the others: labels that do not depend on the order
they were asked in, lookups recorded with their answers, and what changed since the
current release, closed over labels made of labels."""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from kg.changed import Before, since
from kg.claimtypes import CLAIM_TYPES_BY_NAME, ClaimType, Field, ValueKind
from kg.interface import document_of, interface
from kg.lookups import Lookups
from kg.namespaces import Namespaces
from kg.seeds import Claim, Document, Seeds
from kg.vocabulary import ConceptIndex
from kg.yamlfile import Node, Scalar

NS = Namespaces("https://w3id.org/negotiations-kg/")
NOTE = ClaimType(
    "note", "Note", "note", "a note about another record",
    (Field("about", "about", ValueKind.REF, "what it is about"),
     Field("label", "rdfs:label", ValueKind.TEXT, "its label")),
    label_template="Note on {about}",
)  # fmt: skip


def _claim(claim_id: str, **values: str) -> Claim:
    nodes: dict[str, Node] = {key: Scalar(value, 1) for key, value in values.items()}
    return Claim(claim_id, nodes, Path("d.yaml"), 1, NOTE, (), "d")


def _seeds(*claims: Claim) -> Seeds:
    document = Document("d", Path("d.txt"), Path("d.yaml"), "", {}, 1, tuple(claims))
    return Seeds(Path(), (), (document,), {})


def _lookups(seeds: Seeds) -> Lookups:
    return Lookups(seeds, Graph(), NS, ConceptIndex({}), [])


def test_labels_in_a_cycle_are_the_same_whichever_is_asked_first() -> None:
    seeds = _seeds(_claim("a", about="b"), _claim("b", about="a"), _claim("c", about="a"))
    one, other = _lookups(seeds), _lookups(seeds)
    first = [one.label(n) for n in ("a", "b", "c")]
    asked = {n: other.label(n) for n in ("b", "c", "a")}  # b first: its cycle first
    second = [asked[n] for n in ("a", "b", "c")]
    assert (
        first == second == ["Note on Note on a", "Note on Note on b", "Note on Note on Note on a"]
    )


def test_lookups_are_recorded_with_their_answers_and_asked_again() -> None:
    seeds = _seeds(_claim("a", about="b"), _claim("b", label="B"))
    lookups = _lookups(seeds)
    with lookups.recording() as reads:
        lookups.label("a")
        lookups.target("nobody")
    recorded = [[*read, answer] for read, answer in reads.items()]
    assert recorded == [["label", "a", "Note on B"], ["target", "nobody", None]]
    assert lookups.still(recorded)
    changed = _lookups(_seeds(_claim("a", about="b"), _claim("b", label="Bee")))
    assert not changed.still(recorded)
    assert not changed.still([["label"]])  # a damaged record counts as changed


def test_a_claim_whose_label_is_made_of_a_changed_label_has_changed_too() -> None:
    old = _seeds(_claim("a", about="b"), _claim("b", label="B"), _claim("c", about="a"),
                 _claim("d", label="D"))  # fmt: skip
    new = _seeds(_claim("a", about="b"), _claim("b", label="Bee"), _claim("c", about="a"),
                 _claim("d", label="D"))  # fmt: skip
    interfaces = {"old": interface(old.documents[0]), "new": interface(new.documents[0])}
    before = Before({"d": "old"}, {}, "", "")
    found = since(new, {"d": "new"}, before, interfaces.get, lambda _: interfaces["new"])
    assert found is not None and found.records == {"b", "a", "c"}
    assert not found.unaffected([["label", "c", "Note on Note on B"]])
    assert found.unaffected([["label", "d", "D"], ["target", "d", ["note", "x"]]])


def test_an_interface_stands_for_its_document() -> None:
    position = CLAIM_TYPES_BY_NAME["position"]  # labelled "{holder} {stance} {issue}"
    values = {"holder": "iran", "stance": "rejects", "issue": "sanctions", "date": "2026-03",
              "note": "not kept"}  # fmt: skip
    claim = Claim("c", {k: Scalar(v, 1) for k, v in values.items()}, Path("d.yaml"), 4,
                  position, (), "d")  # fmt: skip
    document = Document("d", Path("d.txt"), Path("d.yaml"), "text", {}, 1, (claim,))
    stub = document_of(interface(document))
    assert [(c.id, c.type, c.line) for c in stub.claims] == [("c", position, 4)]
    assert set(stub.claims[0].values) == {"holder", "stance", "issue", "date"}
    assert stub.claims[0].text("stance") == "rejects"

"""IRIs of the graph: the configurable base, the paths minted under it, and the prefixes.

Every IRI the project mints hangs off one base IRI (``KG_BASE_IRI``), so the same
seeds can be published under another domain without touching a file:

* ``{base}ontology#Term``                the OWL ontology's classes and properties
* ``{base}concept/{scheme}/{slug}``      SKOS concepts (roles, stances, issues, ...)
* ``{base}id/{kind}/{slug}``             resources minted from the seeds
* ``{base}graph/{name}``                 named graphs (one per source document)
* ``{base}release/{id}``                 releases (VoID/DCAT descriptions)
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import Namespace, URIRef

DEFAULT_BASE_IRI = "https://w3id.org/negotiations-kg/"

# Vocabularies the ontology reuses; prefixes as registered on prefix.cc.
STANDARD_PREFIXES: dict[str, str] = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": "https://schema.org/",
    "org": "http://www.w3.org/ns/org#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "time": "http://www.w3.org/2006/time#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
}

SCHEMA = Namespace(STANDARD_PREFIXES["schema"])
ORG = Namespace(STANDARD_PREFIXES["org"])
OA = Namespace(STANDARD_PREFIXES["oa"])
TIME = Namespace(STANDARD_PREFIXES["time"])
VOID = Namespace(STANDARD_PREFIXES["void"])
DCAT = Namespace(STANDARD_PREFIXES["dcat"])
WD = Namespace(STANDARD_PREFIXES["wd"])
SPDX = Namespace("http://spdx.org/rdf/terms#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# Kinds of minted resources; each becomes a path segment and a SPARQL prefix.
RESOURCE_KINDS: tuple[str, ...] = (
    "person", "state", "organisation", "office", "city", "place", "website", "group",
    "anonymous",
    "process", "round", "meeting", "delegation", "participation", "office-holding",
    "statement", "assessment", "outcome", "commitment", "position", "divergence",
    "exchange", "event", "agreement", "evidence", "source", "extraction-run", "reviewer",
    "session", "interruption", "action", "body", "reported-speech", "rank-holding",
    "fulfilment",
)  # fmt: skip


@dataclass(frozen=True)
class ConceptScheme:
    """A SKOS concept scheme: the controlled values of the annotation fields that name it
    (kg/claimtypes.py), at ``{base}concept/{name}``."""

    name: str  # IRI segment; the 'scheme:' of a declaration; a SPARQL prefix
    rdf_class: str  # local name in the ontology namespace of the class of its concepts
    help: str


CONCEPT_SCHEMES: tuple[ConceptScheme, ...] = (
    ConceptScheme("role", "Role", "roles an agent plays in a negotiation event"),
    ConceptScheme("stance", "Stance", "what a position does with an issue"),
    ConceptScheme("issue", "Issue", "subjects under negotiation"),
    ConceptScheme("format", "NegotiationFormat", "how the parties negotiate"),
    ConceptScheme("channel", "Channel", "how a statement reached the public"),
    ConceptScheme("status", "RoundStatus", "whether a round was held or is planned"),
    ConceptScheme("relation", "ContextRelation", "how a context event relates to the talks"),
    ConceptScheme("action-type", "ActionType", "kinds of negotiating move, aligned with the "
                  "CAMEO and PLOVER event codebooks"),
    ConceptScheme("proposal", "ProposalStatus", "how far a proposed body is agreed"),
    ConceptScheme("rank", "Rank", "military, police and diplomatic ranks"),
    ConceptScheme("unit", "Unit", "units of measure of quantities, aligned with QUDT"),
    ConceptScheme("fulfilment", "FulfilmentStatus", "whether a commitment was kept, as a "
                  "source reports it"),
)  # fmt: skip


@dataclass(frozen=True)
class Namespaces:
    """The IRIs minted under one base IRI."""

    base: str

    def __post_init__(self) -> None:
        if not self.base.endswith(("/", "#")):
            raise ValueError(f"base IRI must end with '/' or '#': {self.base!r}")

    @property
    def ontology(self) -> URIRef:
        return URIRef(self.base + "ontology")

    @property
    def nkg(self) -> Namespace:
        """The ontology's terms: ``{base}ontology#Term``."""
        return Namespace(self.base + "ontology#")

    def resource(self, kind: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}id/{kind}/{slug}")

    def concept(self, scheme: str, slug: str) -> URIRef:
        return URIRef(f"{self.base}concept/{scheme}/{slug}")

    def scheme(self, scheme: str) -> URIRef:
        return URIRef(f"{self.base}concept/{scheme}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}graph/{name}")

    def release(self, release_id: str) -> URIRef:
        return URIRef(f"{self.base}release/{release_id}")

    def release_url(self, release_id: str, rest: str = "") -> URIRef:
        """``{base}releases/{id}/{rest}``: a URL naming one release (its dumps, its
        endpoint), where it stays while it is kept."""
        return URIRef(f"{self.base}releases/{release_id}/{rest}")

    @property
    def dataset(self) -> URIRef:
        return URIRef(self.base + "dataset")

    def prefixes(self) -> dict[str, str]:
        """Every prefix the project uses: the standard ones, ``nkg:``, one per
        resource kind (``round:``, ``person:``) and one per concept scheme (``role:``)."""
        own = {"nkg": str(self.nkg)}
        own |= {kind: f"{self.base}id/{kind}/" for kind in RESOURCE_KINDS}
        own |= {s.name: f"{self.base}concept/{s.name}/" for s in CONCEPT_SCHEMES}
        own["graph"] = f"{self.base}graph/"
        return STANDARD_PREFIXES | own

    def shorten(self, iri: str) -> str:
        """``round:geneva-round`` for an IRI under a known prefix, else ``<iri>``."""
        for prefix, namespace in _longest_first(self.prefixes()):
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and local and _LOCAL_NAME.match(local):
                return f"{prefix}:{local}"
        return f"<{iri}>"


def _longest_first(prefixes: dict[str, str]) -> list[tuple[str, str]]:
    return sorted(prefixes.items(), key=lambda item: -len(item[1]))


# SPARQL 1.1 PN_LOCAL, simplified to the characters the project mints.
_LOCAL_NAME = re.compile(r"^[A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")

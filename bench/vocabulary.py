"""The concepts a synthetic corpus may use: every concept of every scheme of the
ontology (``ontology/concepts.ttl``), read from it, never copied.

bench/generate.py gives some concepts a meaning of its own (the mediator's role, a
round that is planned); it uses the others by their labels, and writes a claim for each
concept the corpus has not used by its end, so a concept added to the ontology is used
too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"


@dataclass(frozen=True)
class Vocabulary:
    """The concepts of each scheme: slug → English preferred label, in slug order."""

    labels: dict[str, dict[str, str]]

    @classmethod
    def read(cls, ontology_dir: Path = ONTOLOGY) -> Vocabulary:
        from rdflib import SKOS, Literal

        from kg.namespaces import CONCEPT_SCHEMES, DEFAULT_BASE_IRI, Namespaces
        from kg.vocabulary import load_turtle

        ns = Namespaces(DEFAULT_BASE_IRI)
        graph = load_turtle(ontology_dir, ns)
        labels: dict[str, dict[str, str]] = {}
        for scheme in CONCEPT_SCHEMES:
            found = {}
            for concept in graph.subjects(SKOS.inScheme, ns.scheme(scheme.name)):
                english = [
                    str(label)
                    for label in graph.objects(concept, SKOS.prefLabel)
                    if isinstance(label, Literal) and label.language == "en"
                ]
                found[str(concept).rsplit("/", 1)[-1]] = min(english, default="")
            labels[scheme.name] = dict(sorted(found.items()))
        return cls(labels)

    def slugs(self, scheme: str) -> tuple[str, ...]:
        return tuple(self.labels.get(scheme, {}))

    def label(self, scheme: str, slug: str) -> str:
        """The concept's label, as an article writes it (its slug if it has none)."""
        return self.labels[scheme][slug] or slug.replace("-", " ")

    def require(self, scheme: str, *slugs: str) -> None:
        """Fail, saying which, unless the ontology defines the concepts the generator
        gives a meaning to."""
        missing = [s for s in slugs if s not in self.labels.get(scheme, {})]
        if missing:
            raise LookupError(
                f"bench/generate.py writes the {scheme} concept(s) {', '.join(missing)}, "
                f"which {ONTOLOGY.name}/ does not define: change the generator with the ontology"
            )

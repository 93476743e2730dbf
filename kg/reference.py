"""Reference sections of the documentation, generated from the code so they cannot
drift from it: the annotation vocabulary (docs/annotations.md, from kg.claimtypes) and
the settings table (README.md, from kg.config).

    python -m kg.reference docs/annotations.md README.md    rewrite the generated sections
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rdflib import SKOS, Graph, Literal
from rdflib.term import Node

from kg.claimtypes import (
    CLAIM_TYPES,
    CONCEPT_KEYS,
    CONCEPT_REQUIRED_KEYS,
    CONCEPT_SCHEMES,
    ENTITY_KINDS,
    VALUE_SYNTAX,
    Field,
    ValueKind,
)
from kg.config import settings_table
from kg.namespaces import DEFAULT_BASE_IRI, Namespaces
from kg.vocabulary import load_turtle

SECTIONS = (
    "value kinds",
    "claim types",
    "entity kinds",
    "concept schemes",
    "concept keys",
    "concepts",
    "settings",
)
ONTOLOGY_DIR = Path(__file__).resolve().parent.parent / "ontology"


def _value(field: Field) -> str:
    if field.kind is ValueKind.REF:
        kind = "id of a " + " / ".join(field.targets)
    elif field.kind is ValueKind.CONCEPT:
        kind = f"{field.scheme} concept"
    else:
        kind = field.kind.value
    return kind + (", several" if field.many else "")


def _predicate(field: Field) -> str:
    return field.predicate if ":" in field.predicate else f"nkg:{field.predicate}"


def _rows(fields: tuple[Field, ...]) -> list[str]:
    return [
        f"| `{f.key}`{' (required)' if f.required else ''} | {_value(f)} | "
        f"`{_predicate(f)}` | {f.help} |"
        for f in fields
    ]


def claim_types() -> str:
    parts = []
    for claim_type in CLAIM_TYPES:
        label = "label (required)" if not claim_type.label_template else "label"
        parts.append(
            f"### `type: {claim_type.name}` → `nkg:{claim_type.rdf_class}`\n\n"
            f"{claim_type.help} IRI: `{{base}}id/{claim_type.kind}/{{id}}`; {label}."
            f"{' Evidence is cited with prov:wasQuotedFrom.' if claim_type.quotation else ''}"
            "\n\n| key | value | RDF | meaning |\n| --- | --- | --- | --- |\n"
            + "\n".join(_rows(claim_type.fields))
        )
    return "\n\n".join(parts)


def entity_kinds() -> str:
    parts = []
    for kind in ENTITY_KINDS:
        rows = _rows(kind.fields)
        table = (
            ("\n\n| key | value | RDF | meaning |\n| --- | --- | --- | --- |\n" + "\n".join(rows))
            if rows
            else ""
        )
        parts.append(
            f"### `kind: {kind.name}` → `{', '.join(kind.classes)}`\n\n"
            f"{kind.help[0].upper()}{kind.help[1:]}; IRI `{{base}}id/{kind.name}/{{id}}`." + table
        )
    return "\n\n".join(parts)


def value_kinds() -> str:
    rows = [f"| {kind.value} | {write} | {example} |" for kind, (write, example) in
            VALUE_SYNTAX.items()]  # fmt: skip
    return (
        "| kind | write | examples |\n| --- | --- | --- |\n"
        + "\n".join(rows)
        + "\n| several values | a YAML list, where the field takes several | "
        "`roles: [head of delegation, negotiating party]` |"
    )


def concept_schemes() -> str:
    """The schemes a declaration may name, with the fields that take their concepts."""
    rows = []
    for scheme in CONCEPT_SCHEMES:
        used = sorted(
            {
                f"`{claim.name}`: `{spec.key}`"
                for claim in CLAIM_TYPES
                for spec in claim.fields
                if spec.kind is ValueKind.CONCEPT and spec.scheme == scheme.name
            }
        )
        rows.append(
            f"| `{scheme.name}` | `nkg:{scheme.rdf_class}` | {scheme.help} | {', '.join(used)} |"
        )
    return "| scheme | class | concepts of | taken by |\n| --- | --- | --- | --- |\n" + "\n".join(
        rows
    )


def concept_keys() -> str:
    rows = [
        f"| `{key}`{' (required)' if key in CONCEPT_REQUIRED_KEYS else ''} | {rdf} | {meaning} |"
        for key, rdf, meaning in CONCEPT_KEYS
    ]
    return "| key | RDF | meaning |\n| --- | --- | --- |\n" + "\n".join(rows)


def concepts() -> str:
    """The concepts of ontology/concepts.ttl, scheme by scheme, narrower under broader."""
    ns = Namespaces(DEFAULT_BASE_IRI)
    graph = load_turtle(ONTOLOGY_DIR, ns)
    parts = []
    for scheme in CONCEPT_SCHEMES:
        members = set(graph.subjects(SKOS.inScheme, ns.scheme(scheme.name)))
        tops = sorted((c for c in members if graph.value(c, SKOS.broader) is None), key=str)
        lines = [f"**`{scheme.name}`**\n"]
        for top in tops:
            lines += _concept_lines(graph, top, members, 0)
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _concept_lines(graph: Graph, concept: Node, members: set[Node], depth: int) -> list[str]:
    slug = str(concept).rsplit("/", 1)[-1]
    label = graph.value(concept, SKOS.prefLabel)
    aliases = sorted(str(a) for a in graph.objects(concept, SKOS.altLabel))
    also = f" (also: {', '.join(aliases)})" if aliases else ""
    definition = graph.value(concept, SKOS.definition)
    codes = sorted(
        f"{str(n.datatype).rsplit('#', 1)[-1]} {n}"
        for n in graph.objects(concept, SKOS.notation)
        if isinstance(n, Literal) and n.datatype is not None
    )
    coded = f" [{'; '.join(codes)}]" if codes else ""
    lines = [f"{'  ' * depth}- `{slug}` — {label}{also}: {definition}{coded}"]
    for child in sorted((c for c in members if graph.value(c, SKOS.broader) == concept), key=str):
        lines += _concept_lines(graph, child, members, depth + 1)
    return lines


def settings() -> str:
    rows = [
        f"| `{var}` | `{default}` | {help} |" for var, default, help in settings_table().values()
    ]
    return "| variable | default | meaning |\n| --- | --- | --- |\n" + "\n".join(rows)


def render(text: str) -> str:
    """``text`` with each generated section it holds replaced by its current content."""
    generators = {
        "value kinds": value_kinds,
        "claim types": claim_types,
        "entity kinds": entity_kinds,
        "concept schemes": concept_schemes,
        "concept keys": concept_keys,
        "concepts": concepts,
        "settings": settings,
    }
    for name in SECTIONS:
        pattern = re.compile(rf"(<!-- begin {name} -->\n)(?:.*?\n)?(<!-- end {name} -->)", re.S)
        match = pattern.search(text)
        if match:
            replacement = match.group(1) + generators[name]() + "\n" + match.group(2)
            text = text[: match.start()] + replacement + text[match.end() :]
    return text


if __name__ == "__main__":
    for name in sys.argv[1:]:
        target = Path(name)
        target.write_text(render(target.read_text(encoding="utf-8")), encoding="utf-8")

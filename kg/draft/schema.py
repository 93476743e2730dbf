"""The annotation vocabulary as a language model is given it, generated from the
claim-type table (kg/claimtypes.py) and the concept schemes of the ontology, never
copied: the instructions that describe each claim type and field, and the JSON Schema
(draft 2020-12) its answer must match."""

from __future__ import annotations

from typing import Any

from kg.claimtypes import CLAIM_TYPES, CONCEPT_SCHEMES, ENTITY_KINDS, Field, ValueKind
from kg.structured import QUANTITY_KEYS
from kg.vocabulary import ConceptIndex

_FORMATS: dict[ValueKind, dict[str, Any]] = {
    ValueKind.TEXT: {"type": "string"},
    ValueKind.REF: {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
    ValueKind.DATE: {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"},
    ValueKind.DURATION: {"type": "string", "pattern": "^P"},
    ValueKind.INTEGER: {"type": "string", "pattern": "^[1-9][0-9]*$"},
    ValueKind.BOOLEAN: {"type": "string", "enum": ["yes", "no"]},
    ValueKind.WHEN: {"type": "string", "pattern": r"^\d{4}[-0-9~?%/.]*$",
                     "description": "YYYY, YYYY-MM, YYYY-MM-DD, or EDTF: a season YYYY-21..24, "
                                    "~ approximate, FIRST/LAST an interval"},
    ValueKind.DEADLINE: {"anyOf": [
        {"type": "object",
         "properties": {"within": {"type": "string", "pattern": "^P"},
                        "from": {"type": "string"}, "wording": {"type": "string"}},
         "required": ["within", "from", "wording"], "additionalProperties": False},
        {"type": "object",
         "properties": {"by": {"type": "string", "pattern": r"^\d{4}"},
                        "wording": {"type": "string"}},
         "required": ["by", "wording"], "additionalProperties": False},
    ]},
    ValueKind.QUANTITY: {
        "type": "object",
        "properties": {key: {"type": "string"} for key in QUANTITY_KEYS},
        "anyOf": [{"required": [key]} for key in QUANTITY_KEYS[:3]],
        "additionalProperties": False,
    },
}  # fmt: skip


def _field_schema(spec: Field, concepts: ConceptIndex) -> dict[str, Any]:
    if spec.kind is ValueKind.CONCEPT:
        one: dict[str, Any] = {"type": "string", "enum": concepts.slugs(spec.scheme)}
    else:
        one = dict(_FORMATS[spec.kind])
    one["description"] = spec.help
    return {"type": "array", "items": one, "minItems": 1} if spec.many else one


def answer_schema(concepts: ConceptIndex) -> dict[str, Any]:
    """The JSON Schema of a model's answer: claims of each type, proposed entities."""
    variants = []
    for claim_type in CLAIM_TYPES:
        properties: dict[str, Any] = {
            "type": {"const": claim_type.name},
            "id": _FORMATS[ValueKind.REF] | {"description": "a new id for this claim"},
            "evidence": {"type": "array", "minItems": 1,
                         "items": {"type": "string", "description": "copied from the text"}},
            "note": {"type": "string"},
        }  # fmt: skip
        required = ["type", "id", "evidence"]
        for spec in claim_type.fields:
            properties[spec.key] = _field_schema(spec, concepts)
            if spec.required or (spec.key == "label" and not claim_type.label_template):
                required.append(spec.key)
        variants.append({"type": "object", "properties": properties, "required": required,
                         "additionalProperties": False})  # fmt: skip
    texts = {"type": "array", "items": {"type": "string"}}
    entity = _object({
        "id": _FORMATS[ValueKind.REF],
        "kind": {"type": "string", "enum": [k.name for k in ENTITY_KINDS]},
        "label": {"type": "string"},
        "aliases": texts,
        "seen as": {"type": "string", "description": "the words of the text naming it"},
    }, ["id", "kind", "label"])  # fmt: skip
    concept = _object({
        "id": _FORMATS[ValueKind.REF],
        "scheme": {"type": "string", "enum": [s.name for s in CONCEPT_SCHEMES]},
        "label": {"type": "string"},
        "definition": {"type": "string", "description": "what it means, in a sentence"},
        "broader": {"type": "string", "description": "the concept of the scheme it narrows"},
        "aliases": texts,
        "evidence": {"type": "array", "items": {"type": "string",
                                                "description": "copied from the text"}},
    }, ["id", "scheme", "label", "definition"])  # fmt: skip
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {
            "entities": {"type": "array", "items": entity},
            "concepts": {"type": "array", "items": concept},
            "claims": {"type": "array", "items": {"anyOf": variants}},
        },
        "required": ["entities", "claims"],
        "additionalProperties": False,
    }


def _object(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required,
            "additionalProperties": False}  # fmt: skip


def vocabulary(concepts: ConceptIndex) -> str:
    """The claim types, their fields and the concepts, as lines of instructions."""
    lines = []
    for claim_type in CLAIM_TYPES:
        lines.append(f"- type '{claim_type.name}': {claim_type.help}")
        for spec in claim_type.fields:
            lines.append(f"    - '{spec.key}'{' (required)' if spec.required else ''}: "
                         f"{_kind(spec, concepts)}; {spec.help}")  # fmt: skip
    return "\n".join(lines)


def _kind(spec: Field, concepts: ConceptIndex) -> str:
    if spec.kind is ValueKind.REF:
        text = "the id of a " + " or ".join(spec.targets)
    elif spec.kind is ValueKind.CONCEPT:
        text = "one of " + ", ".join(concepts.slugs(spec.scheme))
    else:
        text = spec.kind.value
    return text + (", a list" if spec.many else "")

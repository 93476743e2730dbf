"""What changed since the current release in what documents look up of one another.

A document compiles to the same graph as long as its own files and every answer it
looked up (kg/lookups.py) are the same. Asking every lookup of every document again
costs about as much as labelling every claim of the corpus; this module narrows it down.
Since the current release:

* the *records* that may answer differently are the claims of the documents whose
  files changed, were added or removed (compared through their interfaces,
  kg/interface.py), and the registry entities whose kind or label changed; then, over
  and over, every claim whose label is made from the label of one of those;
* *concepts* changed when any declaration did; *Wikidata ids* when the verified list did.

A document unchanged since the current release (the same cache entry) whose recorded
lookups name none of these reuses its unit without asking them again. Any other
document asks each of its lookups again (kg/compiling.py). When the current release
left no state, or the previous interfaces cannot be read, every lookup is asked.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kg.buildcache import digest
from kg.seeds import Claim, Seeds
from kg.yamlfile import Scalar, Sequence, to_plain


@dataclass(frozen=True)
class Before:
    """What the current release was made of, as far as lookups go (its build state)."""

    documents: dict[str, str]  # document: its cache entry
    entities: dict[str, str]  # registry entity: its fingerprint
    concepts: str  # digest of every concept declaration
    qids: str  # digest of the verified Wikidata ids


@dataclass(frozen=True)
class Since:
    """What may answer a lookup differently now (see the module's docstring)."""

    records: frozenset[str]
    concepts: bool
    qids: bool

    def unaffected(self, reads: list[list[Any]]) -> bool:
        """Whether lookups recorded as ``[kind, *arguments, answer]`` all answer as they
        did, without asking them again."""
        for kind, *arguments in reads:
            if kind in ("target", "label", "date"):
                if arguments[0] in self.records:
                    return False
            elif kind in ("concept", "concept label"):
                if self.concepts:
                    return False
            elif kind != "qid" or self.qids:
                return False
        return True


def before(seeds: Seeds, entries: dict[str, str]) -> Before:
    """What a build leaves for the next one to compare with (``entries``: each
    document's cache entry)."""
    return Before(dict(entries), entity_prints(seeds), concepts_digest(seeds), qids_digest(seeds))


def since(
    seeds: Seeds,
    entries: Mapping[str, str],
    old: Before,
    old_interface: Callable[[str], dict[str, Any] | None],
    new_interface: Callable[[str], dict[str, Any]],
) -> Since | None:
    """What changed between ``old`` and ``seeds`` (whose documents have the cache
    ``entries``); None when an old interface cannot be read."""
    changed: set[str] = set()
    for slug in entries.keys() | old.documents.keys():
        if entries.get(slug) == old.documents.get(slug):
            continue
        was = old_interface(old.documents[slug]) if slug in old.documents else {"claims": []}
        if was is None:
            return None
        now = new_interface(slug) if slug in entries else {"claims": []}
        changed |= _differ(_claim_prints(was), _claim_prints(now))
    changed |= _differ(old.entities, entity_prints(seeds))
    return Since(
        frozenset(_closure(changed, seeds.claims())),
        concepts_digest(seeds) != old.concepts,
        qids_digest(seeds) != old.qids,
    )


def _differ(old: Mapping[str, str], new: Mapping[str, str]) -> set[str]:
    return {key for key in old.keys() | new.keys() if old.get(key) != new.get(key)}


def _claim_prints(interface: dict[str, Any]) -> dict[str, str]:
    """Each claim of an interface by id: its type and the fields its label, IRI and
    date are made of (not the lines they are written on)."""
    return {
        claim_id: digest([type_name, json.dumps(_unlined(values), sort_keys=True)])
        for claim_id, type_name, _, values in interface["claims"]
    }


def _unlined(plain: Any) -> Any:
    """A node of kg/yamlfile.py's plain form without its line numbers."""
    if isinstance(plain, dict):
        return {key: _unlined(value) for key, value in plain.items()}
    if isinstance(plain, list) and len(plain) == 3 and plain[0] in ("s", "q", "m"):
        return [plain[0], _unlined(plain[2])]
    if isinstance(plain, list):
        return [_unlined(item) for item in plain]
    return plain


def entity_prints(seeds: Seeds) -> dict[str, str]:
    """Each registry entity by id: its kind and label (what lookups read of it)."""
    return {e.id: digest([e.kind.name, e.label]) for e in seeds.entities}


def concepts_digest(seeds: Seeds) -> str:
    declarations = [
        [d.id, d.scheme.name, str(d.document), {k: to_plain(v) for k, v in d.values.items()}]
        for d in seeds.declared_concepts()
    ]
    return digest([json.dumps(declarations, sort_keys=True)])


def qids_digest(seeds: Seeds) -> str:
    return digest([json.dumps(sorted(seeds.verified_qids.items()))])


def _closure(changed: set[str], claims: Iterable[Claim]) -> set[str]:
    """``changed``, and every claim whose label is made from the label of one of them,
    over and over."""
    made_from: dict[str, list[str]] = {}  # record: the claims whose labels name it
    for claim in claims:
        if not claim.type.label_references or claim.text("label"):
            continue
        for spec in claim.type.label_references:
            node = claim.values.get(spec.key)
            if node is None:
                continue
            for item in node.items if isinstance(node, Sequence) else [node]:
                if isinstance(item, Scalar):
                    made_from.setdefault(item.value, []).append(claim.id)
    found, todo = set(changed), list(changed)
    while todo:
        for claim_id in made_from.get(todo.pop(), ()):
            if claim_id not in found:
                found.add(claim_id)
                todo.append(claim_id)
    return found

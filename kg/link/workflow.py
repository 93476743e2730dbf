"""``kg link``: reconcile, accept, fetch — in that order when combined."""

from __future__ import annotations

from collections.abc import Iterator

from kg import seeds as seeds_module
from kg.config import Settings
from kg.errors import LinkError
from kg.link import candidates as review
from kg.link.accept import accept
from kg.link.api import WikidataApi
from kg.link.enrich import CACHE_FILE, fetch
from kg.link.reconcile import propose, reconcilable


def run(
    settings: Settings,
    only: list[str],
    accepted: list[str],
    refresh: bool,
    api: WikidataApi | None = None,
) -> Iterator[str]:
    """Yield one line per thing done. Without ``accepted`` or ``refresh``: reconcile."""
    api = api or WikidataApi(settings)
    for pair in accepted:
        entity, _, qid = pair.partition("=")
        if not qid:
            raise LinkError(f"--accept takes ENTITY=QID, such as abbas-araghchi=Q123; got {pair!r}")
        yield accept(settings.seeds_dir, entity.strip(), qid.strip())
    if refresh:
        seeds = seeds_module.load(settings.seeds_dir)
        count = fetch(api, seeds, settings.seeds_dir / CACHE_FILE)
        yield f"cached {count} linked items in {settings.seeds_dir / CACHE_FILE}"
    if not accepted and not refresh:
        yield from _reconcile(settings, api, only)


def _reconcile(settings: Settings, api: WikidataApi, only: list[str]) -> Iterator[str]:
    seeds = seeds_module.load(settings.seeds_dir)
    by_id = {e.id: e for e in seeds.entities}
    unknown = [i for i in only if i not in by_id]
    if unknown:
        raise LinkError(f"no such entities in the registry: {', '.join(unknown)}")
    todo = [by_id[i] for i in only] if only else [e for e in seeds.entities if reconcilable(e)]
    found = {}
    for entity in todo:
        if not reconcilable(entity):
            yield f"{entity.id}: skipped (already linked, or a {entity.kind.name})"
            continue
        context = [
            by_id[n.value].label
            for n in entity.values.values()
            if hasattr(n, "value") and n.value in by_id
        ]
        found[entity.id] = proposals = propose(api, entity, context)
        best = (
            f"best {proposals[0].qid} {proposals[0].label!r} ({proposals[0].score})"
            if proposals
            else "no candidate"
        )
        yield f"{entity.id}: {len(proposals)} proposal(s), {best}"
    path = settings.seeds_dir / review.CANDIDATES_FILE
    review.write(path, settings.wikidata_api, found)
    yield f"wrote {path}: review it, then `kg link --accept ENTITY=QID`"

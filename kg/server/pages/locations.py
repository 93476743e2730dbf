"""Where each IRI minted under the base IRI lives on this server, and back.

The server answers for the paths under the base IRI, whatever host it runs on: a
request path is read relative to the server root and appended to ``KG_BASE_IRI``
(``/id/state/iran`` is ``{base}id/state/iran``), so the request's host never enters
an IRI. Pages link with *relative* references (``../../page/person/x``), and redirects
send relative ``Location`` references (RFC 9110, section 10.2.2), so the same pages work
on ``localhost``, at the permanent host, and behind a proxy that maps the base IRI's
path (``https://example.org/kg/``) onto the server root.

Resources (W3C Note "Cool URIs for the Semantic Web", section 4.3, 303 URIs):

=============================  ===============================  ============================
IRI                            HTML page                        RDF document
=============================  ===============================  ============================
``{base}id/{kind}/{slug}``     ``/page/{kind}/{slug}``          ``/data/{kind}/{slug}``
``{base}concept/...``          ``/page/concept/...``            ``/data/concept/...``
``{base}graph/{name}``         ``/page/graph/{name}``           ``/data/graph/{name}``
``{base}release/...``          ``/page/release/...``            ``/data/release/...``
``{base}dataset``              ``/page/dataset``                ``/data/dataset``
``{base}ontology#Term``        ``/ontology#Term``               ``/ontology.ttl`` (hash IRIs,
                                                                section 4.2)
=============================  ===============================  ============================

>>> here = Locations("https://w3id.org/negotiations-kg/")
>>> here.page("https://w3id.org/negotiations-kg/id/state/iran")
'/page/state/iran'
>>> here.page("https://w3id.org/negotiations-kg/ontology#Position")
'/ontology#Position'
>>> relative("/page/person/abbas-araghchi", "/page/state/iran")
'../../page/person/abbas-araghchi'
"""

from __future__ import annotations

from dataclasses import dataclass

from kg.namespaces import RESOURCE_KINDS

# First path segments of minted IRIs that are not under id/: each has a page and data.
OTHER_SPACES: tuple[str, ...] = ("concept", "graph", "release")
SINGLES: tuple[str, ...] = ("dataset",)
ONTOLOGY = "ontology"


@dataclass(frozen=True)
class Locations:
    """Maps IRIs under ``base`` to local paths, and local paths back to IRIs."""

    base: str

    def key(self, iri: str) -> str | None:
        """What follows ``/page/`` and ``/data/`` for ``iri`` (without its fragment), or
        None when ``iri`` is not a resource this server describes that way."""
        if not iri.startswith(self.base):
            return None
        rest = iri[len(self.base) :].partition("#")[0]
        first, _, tail = rest.partition("/")
        if first == "id" and tail.partition("/")[0] in RESOURCE_KINDS and "/" in tail:
            return tail
        if (first in OTHER_SPACES and tail) or rest in SINGLES:
            return rest
        return None

    def iri(self, key: str) -> str | None:
        """The IRI whose page is ``/page/{key}``; the inverse of :meth:`key`."""
        first, _, tail = key.partition("/")
        if first in RESOURCE_KINDS and tail:
            return f"{self.base}id/{key}"
        if (first in OTHER_SPACES and tail) or key in SINGLES:
            return self.base + key
        return None

    def page(self, iri: str) -> str | None:
        """The local path of the HTML page about ``iri`` (its fragment kept as an
        anchor), or None for an IRI outside the base."""
        if not iri.startswith(self.base):
            return None
        rest, hash_, fragment = iri[len(self.base) :].partition("#")
        anchor = f"#{fragment}" if hash_ and fragment else ""
        if rest == ONTOLOGY:
            return f"/{ONTOLOGY}{anchor}"
        key = self.key(iri)
        if key is not None:
            return f"/page/{key}{anchor}"
        return f"/{rest}{anchor}"  # served by another part of the server, or a 404

    def data(self, iri: str, suffix: str) -> str | None:
        """The local path of the RDF document about ``iri`` in the syntax of ``suffix``."""
        if iri.startswith(self.base) and iri[len(self.base) :].partition("#")[0] == ONTOLOGY:
            return f"/{ONTOLOGY}.{suffix}"
        key = self.key(iri)
        return f"/data/{key}.{suffix}" if key is not None else None


def relative(target: str, here: str) -> str:
    """A relative reference from the local path ``here`` to the local path ``target``
    (both absolute paths on this server), resolved by RFC 3986, section 5.2."""
    depth = here.count("/") - 1
    return ("../" * depth if depth > 0 else "./") + target.removeprefix("/")

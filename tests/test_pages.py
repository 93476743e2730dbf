"""Linked-data pages, in-process: 303s by Accept, suffixes, RDF documents, the HTML of
resources, evidence, the ontology, concepts, source documents, graphs and the home
page, 404s, escaping, and IRIs under the configured base whatever the host."""

from __future__ import annotations

import html
import re
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from kg.config import Settings
from kg.namespaces import DEFAULT_BASE_IRI
from kg.queries import load_queries
from kg.server.pages.terms import lexical

BASE = DEFAULT_BASE_IRI
IRAN = f"{BASE}id/state/iran"
STATEMENT = "statement/araghchi-clear-path"
SOURCE = "source/2026-02-17-us-iran-geneva-round-2"
OWL_SAME_AS = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
OA = "http://www.w3.org/ns/oa#"

RDF_TYPES = {
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
}


def see_other(client: TestClient, path: str, accept: str | None) -> str:
    """The local path a 303 from ``path`` leads to."""
    headers = {"accept": accept} if accept is not None else {}
    response = client.get(path, headers=headers, follow_redirects=False)
    assert response.status_code == 303, response.text
    assert "Accept" in response.headers["vary"]
    return urlsplit(urljoin(f"http://testserver{path}", response.headers["location"])).path


def triples(response: object, rdf_format: ox.RdfFormat) -> set[ox.Triple]:
    content = response.content  # type: ignore[attr-defined]
    return {q.triple for q in ox.parse(content, format=rdf_format)}


def text_of(fragment: str) -> str:
    """The text a browser shows for an HTML fragment."""
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


# --- 303 URIs and suffixes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "target"),
    [
        ("text/html", "/page/state/iran"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "/page/state/iran"),
        (None, "/page/state/iran"),
        ("*/*", "/page/state/iran"),
        ("text/turtle", "/data/state/iran"),
        ("application/ld+json", "/data/state/iran"),
        ("application/n-triples", "/data/state/iran"),
        ("application/rdf+xml", "/data/state/iran"),
        ("text/turtle;q=0.9, text/html;q=0.5", "/data/state/iran"),
    ],
)
def test_a_resource_iri_answers_303_by_accept(
    client: TestClient, accept: str | None, target: str
) -> None:
    assert see_other(client, "/id/state/iran", accept) == target


@pytest.mark.parametrize(
    ("path", "page"),
    [
        ("/concept/role/mediator", "/page/concept/role/mediator"),
        ("/concept/role", "/page/concept/role"),
        ("/graph/registry", "/page/graph/registry"),
        ("/graph/void", "/page/graph/void"),
        ("/dataset", "/page/dataset"),
        (f"/id/{SOURCE}", f"/page/{SOURCE}"),
        ("/ontology/0.1.0", "/ontology"),
    ],
)
def test_every_kind_of_minted_iri_dereferences(client: TestClient, path: str, page: str) -> None:
    assert see_other(client, path, "text/html") == page
    assert client.get(page).status_code == 200


def test_the_release_iri_dereferences(client: TestClient, built_settings: Settings) -> None:
    release = client.app.state.live.get().id  # type: ignore[attr-defined]
    assert see_other(client, f"/release/{release}", "text/turtle") == f"/data/release/{release}"
    body = client.get(f"/data/release/{release}").text
    assert "void:triples" in body


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt", "rdf"])
def test_suffixes_serve_rdf_without_a_header(client: TestClient, suffix: str) -> None:
    media_type, rdf_format = RDF_TYPES[suffix]
    response = client.get(f"/id/state/iran.{suffix}", follow_redirects=False)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    graph = triples(response, rdf_format)
    iran = ox.NamedNode(IRAN)
    assert ox.Triple(iran, RDFS_LABEL, ox.Literal("Iran", language="en")) in graph
    assert (
        ox.Triple(iran, OWL_SAME_AS, ox.NamedNode("http://www.wikidata.org/entity/Q794")) in graph
    )


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt"])
def test_suffixes_work_on_concepts_and_graphs_too(client: TestClient, suffix: str) -> None:
    for path in ("/concept/role/mediator", "/graph/registry", "/dataset"):
        response = client.get(f"{path}.{suffix}")
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith(RDF_TYPES[suffix][0])


@pytest.mark.parametrize("suffix", ["ttl", "jsonld", "nt", "rdf"])
def test_the_data_document_negotiates_its_syntax(client: TestClient, suffix: str) -> None:
    media_type, rdf_format = RDF_TYPES[suffix]
    response = client.get("/data/state/iran", headers={"accept": media_type})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"] == f"iran.{suffix}"
    assert ox.NamedNode(IRAN) in {t.subject for t in triples(response, rdf_format)}
    assert client.get(f"/data/state/iran.{suffix}").content == response.content


def test_the_data_document_is_turtle_by_default(client: TestClient) -> None:
    for accept in (None, "*/*", "text/html,*/*;q=0.8"):
        headers = {"accept": accept} if accept else {}
        response = client.get("/data/state/iran", headers=headers)
        assert response.headers["content-type"].startswith("text/turtle"), accept


def test_an_unacceptable_type_gets_406(client: TestClient) -> None:
    for path in ("/data/state/iran", "/id/state/iran", "/ontology"):
        response = client.get(path, headers={"accept": "image/png"}, follow_redirects=False)
        assert response.status_code == 406, path
        assert "text/turtle" in response.text


# --- what an RDF document holds -------------------------------------------------------


def test_a_claims_document_holds_its_evidence_and_selectors(client: TestClient) -> None:
    graph = triples(client.get(f"/data/{STATEMENT}.nt"), ox.RdfFormat.N_TRIPLES)
    evidence = f"{BASE}id/evidence/2026-02-17-us-iran-geneva-round-2-1293-1328"
    subjects = {lexical(t.subject) for t in graph}
    assert {f"{BASE}id/{STATEMENT}", evidence, f"{evidence}#position", f"{evidence}#quote"} <= (
        subjects
    )
    values = {(t.predicate.value, lexical(t.object)) for t in graph}
    assert (OA + "start", "1293") in values
    assert (OA + "exact", 'He described a "clear path" forward') in values


def test_a_document_holds_the_links_in_but_not_the_members_of_a_class(
    client: TestClient,
) -> None:
    graph = triples(client.get("/data/state/iran.nt"), ox.RdfFormat.N_TRIPLES)
    holder = ox.NamedNode(f"{BASE}ontology#holder")
    position = ox.NamedNode(f"{BASE}id/position/iran-demands-sanctions-lifting")
    assert ox.Triple(position, holder, ox.NamedNode(IRAN)) in graph
    ontology = triples(client.get("/ontology.nt"), ox.RdfFormat.N_TRIPLES)
    assert not any(lexical(t.subject).startswith(f"{BASE}id/") for t in ontology)


def test_a_turtle_document_declares_only_the_prefixes_it_uses(client: TestClient) -> None:
    body = client.get("/id/state/iran.ttl").text
    assert "@prefix wd: <http://www.wikidata.org/entity/>" in body
    assert "@prefix dcat:" not in body


# --- HTML pages of resources ----------------------------------------------------------


def test_a_resource_page_shows_label_types_properties_links_and_wikidata(
    client: TestClient,
) -> None:
    response = client.get("/page/state/iran")
    assert response.status_code == 200
    page = response.text
    assert "<h1>Iran</h1>" in page
    assert f"<code>{IRAN}</code>" in page
    assert 'href="../../ontology#State"' in page and "sovereign state" in page
    assert "Islamic Republic of Iran" in page and "alternative label" in page
    assert 'href="https://www.wikidata.org/wiki/Q794"' in page
    inbound = page[page.index("Links to this resource") :]
    assert 'href="../../page/position/iran-demands-sanctions-lifting"' in inbound
    assert "Iran demands sanctions relief" in inbound
    assert 'type="text/turtle" href="../../data/state/iran.ttl"' in page


def test_a_claim_page_highlights_its_quote_in_its_sentence(client: TestClient) -> None:
    page = client.get(f"/page/{STATEMENT}").text
    evidence = page[page.index("<h2>Evidence</h2>") : page.index("<h2>Properties</h2>")]
    quote = re.search(r"<blockquote>(.*?)<mark>(.*?)</mark>(.*?)</blockquote>", evidence, re.S)
    assert quote is not None
    assert text_of(quote.group(2)) == 'He described a "clear path" forward'
    assert text_of(quote.group(3)).startswith(", assessing the outcome positively")
    assert f'href="../../page/{SOURCE}#span-1293-1328"' in evidence
    assert "Quoted from US and Iran report progress" in text_of(evidence)
    assert 'href="../../page/person/abbas-araghchi"' in page


def test_an_evidence_page_shows_its_quote_and_its_selectors(client: TestClient) -> None:
    page = client.get("/page/evidence/2026-02-17-us-iran-geneva-round-2-1293-1328").text
    assert "<mark>He described a &#34;clear path&#34; forward</mark>" in page
    assert 'id="position"' in page and 'id="quote"' in page
    assert 'href="../../page/evidence/2026-02-17-us-iran-geneva-round-2-1293-1328#quote"' in page
    assert 'href="../../page/statement/araghchi-clear-path"' in page  # cited by


def test_a_source_page_shows_its_text_with_every_annotated_span(
    client: TestClient, built_settings: Settings
) -> None:
    page = client.get(f"/page/{SOURCE}").text
    store = client.app.state.live.get().store  # type: ignore[attr-defined]
    source = ox.NamedNode(f"{BASE}id/{SOURCE}")
    text_quad = next(store.quads_for_pattern(source, ox.NamedNode("https://schema.org/text"), None))
    body = re.search(r'<div class="source-text" id="text">(.*?)</div>', page, re.S)
    assert body is not None
    assert text_of(body.group(1)) == text_quad.object.value  # the text, whole and in order
    evidence = {
        q.subject.value
        for q in store.quads_for_pattern(None, ox.NamedNode(OA + "hasSource"), source)
    }
    anchors = set(re.findall(r'<span class="anchor" id="(span-\d+-\d+)">', body.group(1)))
    assert len(anchors) == len(evidence) > 50
    assert "span-1293-1328" in anchors
    note = re.search(
        r'<li id="note-\d+"><a class="back" href="#span-1293-1328".*?</li>', page, re.S
    )
    assert note is not None and 'href="../../page/statement/araghchi-clear-path"' in note.group(0)
    assert re.search(r'class="span k\d overlap"', body.group(1)), "overlapping spans are marked"


# --- ontology, concepts, graphs ---------------------------------------------------------


def test_the_ontology_documents_every_term_with_an_anchor(client: TestClient) -> None:
    response = client.get("/ontology", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-location"] == "ontology.html"
    page = response.text
    store = client.app.state.live.get().store  # type: ignore[attr-defined]
    labels = store.quads_for_pattern(None, RDFS_LABEL, None, None)
    terms = {q.subject.value for q in labels if q.subject.value.startswith(f"{BASE}ontology#")}
    for term in terms:
        assert f'id="{term.partition("#")[2]}"' in page, term
    role = page[page.index('<section class="term" id="role">') :]
    role = role[: role.index("</section>")]
    assert "Participation" in role or "participation" in role  # domain
    assert 'href="https://www.wikidata.org/wiki/Property:P3831"' in role
    assert "prov:hadRole" in role  # superproperty
    issue = page[page.index('<section class="term" id="issue">') :]
    assert re.search(r"negotiation process</a> or <a[^>]*>position</a> or", issue)


def test_ontology_terms_dereference_to_rdf_by_accept_and_suffix(client: TestClient) -> None:
    response = client.get("/ontology", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["content-location"] == "ontology.ttl"
    assert "Accept" in response.headers["vary"]
    graph = triples(response, ox.RdfFormat.TURTLE)
    position = ox.NamedNode(f"{BASE}ontology#Position")
    assert ox.Triple(position, RDFS_LABEL, ox.Literal("position", language="en")) in graph
    assert triples(client.get("/ontology.nt"), ox.RdfFormat.N_TRIPLES) == graph
    assert client.get("/ontology.html").text.count('class="term"') > 50


def test_a_concept_page_and_its_scheme(client: TestClient) -> None:
    page = client.get("/page/concept/role/mediator").text
    assert "<h1>mediator</h1>" in page
    assert 'href="../../../page/concept/role"' in page  # in scheme
    assert "intermediary" in page
    scheme = client.get("/page/concept/role").text
    tree = scheme[scheme.index("<h2>Concepts</h2>") :]
    member = tree.index('href="../../page/concept/role/delegation-member"')
    head = tree.index('href="../../page/concept/role/head-of-delegation"')
    assert member < head and "<ul" in tree[member:head]  # narrower, nested under broader
    rdf = client.get("/data/concept/role/mediator", headers={"accept": "text/turtle"})
    assert "skos:prefLabel" in rdf.text


def test_a_graph_page_says_what_it_holds(client: TestClient) -> None:
    store = client.app.state.live.get().store  # type: ignore[attr-defined]
    registry = ox.NamedNode(f"{BASE}graph/registry")
    count = sum(1 for _ in store.quads_for_pattern(None, None, None, registry))
    page = client.get("/page/graph/registry").text
    assert f"<strong>{count:,}</strong> triples" in page
    assert "entity registry" in page
    assert 'href="../../dumps/negotiations-kg.trig"' in page
    assert client.get("/page/graph/void").status_code == 200


# --- home page ----------------------------------------------------------------------------


def test_the_home_page_says_what_the_dataset_is(
    client: TestClient, built_settings: Settings
) -> None:
    response = client.get("/")
    assert response.status_code == 200
    page = response.text
    assert "Negotiations knowledge graph" in page and "every fact cites" in page
    assert re.search(r"<strong>[\d,]+</strong> triples", page)
    for link in ("./query", "./page/dataset", "./dumps/", "./ontology"):
        assert f'href="{link}"' in page
    assert 'href="./dumps/negotiations-kg.ttl"' in page
    assert 'href="./page/source/2026-02-17-us-iran-geneva-round-2"' in page
    # The competency queries by title, each leading to its tab of the query UI; their
    # text is not printed here (it was nine tenths of the page).
    names = [q.name for q in load_queries(built_settings.queries_dir)]
    ui_links = re.findall(r'href="\./query\?example=([^"]+)"', page)
    assert ui_links == names
    assert "SELECT" not in page and "query?query=" not in page


def test_the_home_page_asks_for_the_fact_query_12_traces(client: TestClient) -> None:
    """A plain form (the page has no script): it asks /query?example=12-provenance&fact=…,
    which binds the fact and opens the query in the UI."""
    page = client.get("/").text
    example = page[page.index('id="query-12-provenance"') :]
    form = example[example.index("<form") : example.index("</form>")]
    assert 'action="./query" method="get"' in form
    assert '<input type="hidden" name="example" value="12-provenance">' in form
    assert '<input name="fact" required' in form
    assert "it answers for every value" in example[: example.index("</li>")]


# --- 404, escaping, headers -------------------------------------------------------------


def test_an_unknown_iri_gets_a_helpful_404(client: TestClient) -> None:
    response = client.get("/id/state/irann", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert f"{BASE}id/state/irann" in response.text
    assert 'href="../../page/state/iran"' in response.text  # did you mean
    for path in (
        "/id/no-such-kind/x",
        "/page/state/atlantis",
        "/data/state/atlantis.ttl",
        "/concept/role/nobody",
        "/graph/nothing",
        "/ontology.xyz",
        "/ontology/9.9",
    ):
        assert client.get(path).status_code == 404, path
    plain = client.get("/id/state/atlantis", headers={"accept": "text/turtle"})
    assert plain.status_code == 404
    assert plain.headers["content-type"].startswith("text/plain")


def test_pages_send_security_headers_and_no_inline_script(client: TestClient) -> None:
    """The one script of the pages (search suggestions) is a file of this server; no
    inline script, nothing from elsewhere (the CSP would refuse both)."""
    for path in ("/", "/page/state/iran", "/ontology", f"/page/{SOURCE}", "/page/state/atlantis"):
        response = client.get(path)
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert response.headers["x-content-type-options"] == "nosniff"
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", response.text, re.S | re.I)
        assert scripts, path
        for attributes, body in scripts:
            assert re.search(r'src="(\./|\.\./)+static/search\.js"', attributes), path
            assert not body.strip(), path


def test_the_stylesheet_is_served_locally(client: TestClient) -> None:
    response = client.get("/static/pages.css")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")
    assert "http" not in response.text  # nothing loaded from elsewhere
    assert client.get("/static/missing.css").status_code == 404


def test_head_requests_are_answered(client: TestClient) -> None:
    assert client.head("/page/state/iran").status_code == 200
    assert client.head("/id/state/iran", follow_redirects=False).status_code == 303


def test_iris_keep_the_base_whatever_the_host(client: TestClient) -> None:
    headers = {"host": "mirror.example.net:8443", "x-forwarded-host": "proxy.example.com"}
    redirect = client.get("/id/state/iran", headers=headers, follow_redirects=False)
    assert "example" not in redirect.headers["location"]
    for path in ("/id/state/iran.ttl", "/page/state/iran", "/"):
        body = client.get(path, headers=headers).text
        assert "example.net" not in body and "example.com" not in body, path
    assert IRAN in client.get("/id/state/iran.nt", headers=headers).text

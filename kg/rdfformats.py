"""pyoxigraph's writers by the short names the CLI's ``--format`` and the SPARQL
endpoint use. Imports nothing but pyoxigraph: the query worker processes read it."""

from __future__ import annotations

import pyoxigraph as ox

# SPARQL 1.1 Query Results JSON, XML, CSV and TSV.
RESULT_WRITERS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}

# RDF syntaxes for CONSTRUCT and DESCRIBE results (the last two keep named graphs).
GRAPH_WRITERS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}

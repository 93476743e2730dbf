"""Linked-data pages: the routes that dereference every minted IRI (routes), the RDF
document about a resource (documents), what its HTML page shows (resource, quotes,
terms), the home page (home), the ontology's page (ontology), where each IRI lives on
this server (locations), and the HTML templates (render, templates/)."""

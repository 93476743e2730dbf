"""The read-only web server: SPARQL endpoint, linked-data pages, dumps, query UI."""

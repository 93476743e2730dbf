"""The read-only web server.

* ``sparql/``: the SPARQL 1.1 Protocol endpoint;
* ``pages/``: the linked-data pages (every minted IRI dereferences);
* shared HTTP concerns: the app factory (app), the release a request answers from
  (live), ETags and conditional requests (etags), content negotiation (negotiation),
  sending files with ranges and gzip (transfer), the release's dumps and VoID (dumps),
  and the query UI (ui).
"""

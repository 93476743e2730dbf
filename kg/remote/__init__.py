"""Publishing a release into an external SPARQL store (``kg publish --to``)."""

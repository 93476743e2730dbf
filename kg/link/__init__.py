"""Linking the registry with Wikidata: reconciliation candidates for review, their
explicit acceptance, and an offline cache of what Wikidata says about linked items."""

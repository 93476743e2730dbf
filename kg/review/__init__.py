"""``kg review``: a page on 127.0.0.1 to review a machine draft (kg/draft) — accept,
reject or edit each drafted claim, change its evidence by selecting text, accept the
proposed registry additions — and save it back to the YAML, comments and order kept,
then validate. A build-side tool: it imports the build, and the server never imports
it."""

"""``kg draft``: machine-drafted annotations for a new source document, every quote
verified against the text, every claim marked as a draft until a person reviews it.

Two extractors share one interface (:class:`kg.draft.article.Extractor`): rules that need
nothing but the registry, a sentence segmenter and a date parser
(:mod:`kg.draft.rules`), and a language model behind any OpenAI-compatible
chat-completions endpoint (:mod:`kg.draft.model`). Whatever either proposes goes through
the same verification (:mod:`kg.draft.verify`) before it is written
(:mod:`kg.draft.write`).
"""

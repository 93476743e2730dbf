"""The model-based extractor: the article, the registry and the annotation vocabulary
go to any OpenAI-compatible chat-completions endpoint (llama.cpp, vLLM, Ollama, a
hosted service: ``KG_LLM_URL``, ``KG_LLM_MODEL``, ``KG_LLM_API_KEY``), which is asked for
JSON matching :func:`kg.draft.schema.answer_schema` (``response_format`` ``json_schema``,
OpenAI's Chat Completions API). Its answer is read here; :mod:`kg.draft.verify` then
checks every quote, id and type exactly as for the rules.

An article longer than ``KG_LLM_WINDOW_CHARS`` goes in overlapping windows of whole
sentences, one request each, every request after the first listing what the earlier
ones drafted so that the model can name it; :mod:`kg.draft.chunks` merges the answers."""

from __future__ import annotations

import hashlib
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from kg import __version__
from kg.config import Settings
from kg.draft.article import (
    Article,
    DraftClaim,
    Extraction,
    FieldValue,
    ProposedConcept,
    ProposedEntity,
)
from kg.draft.chunks import Merge, Window, windows
from kg.draft.schema import answer_schema, vocabulary
from kg.errors import ConfigError, DraftError

INSTRUCTIONS = """\
You draft annotations of a news report on diplomatic negotiations for a knowledge graph.
Find every claim the text states, of the types below, and nothing it does not state.
Rules:
- Every claim cites evidence: one or more passages copied from the text character for
  character (same quotation marks, dashes and spaces). Never paraphrase a quote.
- A 'statement' is a direct quotation: 'words' are the exact words between the quotation
  marks, without the marks, and must occur inside its evidence.
- A field that names an entity takes the id of a registry entity listed below, of a
  claim you draft, or of an entity you propose under "entities" (people with their
  titles, states, cities, organisations, venues, unnamed officials the registry lacks).
- Dates keep the precision the text gives (YYYY, YYYY-MM or YYYY-MM-DD), resolved
  against the document's date; keep the text's wording in 'date wording'.
- Ids are lowercase words joined by hyphens, new and unique.
- A concept a field needs that is not listed (a new issue, channel...) may be proposed
  under "concepts", with a label, a definition of your own and the evidence introducing it.
Answer with JSON only, matching the given schema.

Claim types and their fields:
{vocabulary}
"""


class ModelExtractor:
    """Asks a model behind an OpenAI-compatible endpoint; see the module docstring."""

    name = "model"

    def __init__(self, url: str, model: str, api_key: str, timeout: float,
                 window_chars: int = 12_000) -> None:  # fmt: skip
        self.url, self.model, self.api_key, self.timeout = url.rstrip("/"), model, api_key, timeout
        self.window_chars = window_chars

    @classmethod
    def from_settings(cls, settings: Settings) -> ModelExtractor:
        if not settings.llm_url or not settings.llm_model:
            raise ConfigError(
                "the model extractor needs KG_LLM_URL (an OpenAI-compatible endpoint, such as "
                "http://127.0.0.1:8080/v1) and KG_LLM_MODEL; or use --extractor rules"
            )
        return cls(settings.llm_url, settings.llm_model, settings.llm_api_key,
                   settings.llm_timeout, settings.llm_window_chars)  # fmt: skip

    def request(self, article: Article, window: Window | None = None,
                known: str = "") -> tuple[dict[str, Any], str]:  # fmt: skip
        """The request body for the article (or one window of it, with what earlier
        windows drafted), and the hash of its instructions and schema."""
        schema = answer_schema(article.concepts)
        system = INSTRUCTIONS.format(vocabulary=vocabulary(article.concepts))
        registry = "\n".join(
            f"- {e.id} ({e.kind.name}): {e.label}"
            + (f" (also: {', '.join(e.aliases)})" if e.aliases else "")
            for e in article.entities
        )
        date = article.date.isoformat() if article.date else "unknown"
        if window is None or window.total == 1:
            text = f"Text:\n{article.text}"
        else:
            text = (f"Text, part {window.number} of {window.total} (characters {window.start} "
                    f"to {window.end} of the article; parts overlap by a few sentences):\n"
                    f"{window.text}")  # fmt: skip
            if known:
                text = (f"Drafted from earlier parts (name these ids; do not draft them "
                        f"again):\n{known}\n\n{text}")  # fmt: skip
        user = f"Document date: {date}\n\nRegistry:\n{registry}\n\n{text}"
        body = {
            "model": self.model,
            "temperature": 0,
            "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "kg_draft", "schema": schema}},
        }  # fmt: skip
        digest = hashlib.sha256((system + json.dumps(schema, sort_keys=True)).encode())
        return body, f"sha256:{digest.hexdigest()}"

    def extract(self, article: Article) -> Extraction:
        parts = windows(article.text, article.sentences, self.window_chars)
        merge = Merge(article.text, article.taken_ids)
        model, prompt_hash = self.model, ""
        for window in parts:
            body, prompt_hash = self.request(article, window, merge.known())
            found, model = self._ask(body)
            merge.add(window, found)
        return Extraction(self.name, merge.claims, merge.entities, model, prompt_hash,
                          merge.problems, merge.concepts)  # fmt: skip

    def _ask(self, body: dict[str, Any]) -> tuple[Extraction, str]:
        """One request: what the model found, and the model's name as it reports it."""
        answer = self._post(body)
        content, model = _content(answer, self.url)
        try:
            data = json.loads(content)
        except json.JSONDecodeError as exc:
            raise DraftError(
                f"the model's answer is not JSON ({exc.msg} at character {exc.pos}): "
                f"{content[:80]!r}; try again, or another model"
            ) from exc
        if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
            raise DraftError("the model's answer has no 'claims' list: it ignored the schema")
        problems: list[str] = []
        claims = [c for item in data["claims"] if (c := _claim(item, problems)) is not None]
        entities = [e for item in data.get("entities") or []
                    if (e := _entity(item, problems)) is not None]  # fmt: skip
        concepts = [k for item in data.get("concepts") or []
                    if (k := _concept(item, problems)) is not None]  # fmt: skip
        model_name = model or self.model
        return Extraction(self.name, claims, entities, model_name, None, problems,
                          concepts), model_name  # fmt: skip

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": f"negotiations-kg/{__version__}",
        }
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        request = urllib.request.Request(f"{self.url}/chat/completions",
                                         json.dumps(body).encode(), headers)  # fmt: skip
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            raise DraftError(f"{self.url} answered HTTP {exc.code}: {detail}") from exc
        except TimeoutError as exc:
            raise DraftError(
                f"no answer from {self.url} within {self.timeout:g} s (KG_LLM_TIMEOUT)"
            ) from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError | socket.timeout):
                raise DraftError(
                    f"no answer from {self.url} within {self.timeout:g} s (KG_LLM_TIMEOUT)"
                ) from exc
            raise DraftError(f"cannot reach {self.url}: {exc.reason} (KG_LLM_URL)") from exc
        try:
            answer = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise DraftError(f"{self.url} did not answer with JSON: {raw[:80]!r}") from exc
        if not isinstance(answer, dict):
            raise DraftError(f"{self.url} answered with JSON that is not a chat completion")
        return answer


def _content(answer: dict[str, Any], url: str) -> tuple[str, str | None]:
    """The message text of a chat completion, and the model that wrote it."""
    try:
        content = answer["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as exc:
        raise DraftError(f"{url} answered without choices[0].message.content") from exc
    if not isinstance(content, str):
        raise DraftError(f"{url} answered with an empty message")
    model = answer.get("model")
    return content, model if isinstance(model, str) else None


def _text(value: object) -> str | None:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _block(value: object) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    texts = {str(k): _text(v) for k, v in value.items()}
    return {k: v for k, v in texts.items() if v is not None} if None not in texts.values() \
        else None  # fmt: skip


def _value(value: object) -> FieldValue | None:
    """A field of the answer as a YAML value: text, a list of texts, a block (deadline,
    quantity) or a list of blocks (quantities); None for anything else."""
    if (text := _text(value)) is not None:
        return text
    if isinstance(value, dict):
        return _block(value)
    if isinstance(value, list) and all(_text(v) is not None for v in value):
        return [str(_text(v)) for v in value]
    if isinstance(value, list) and all(_block(v) is not None for v in value):
        return [b for v in value if (b := _block(v)) is not None]
    return None


def _claim(item: object, problems: list[str]) -> DraftClaim | None:
    if not isinstance(item, dict):
        problems.append(f"dropped a claim that is not an object: {str(item)[:60]!r}")
        return None
    evidence = item.get("evidence")
    quotes = [evidence] if isinstance(evidence, str) else evidence
    if not isinstance(quotes, list) or not all(isinstance(q, str) for q in quotes):
        problems.append(f"dropped claim {item.get('id')!r}: its evidence is not a list of quotes")
        return None
    fields: dict[str, FieldValue] = {}
    for key, raw in item.items():
        if key in ("id", "type", "evidence", "note"):
            continue
        value = _value(raw)
        if value is None:
            problems.append(f"dropped claim {item.get('id')!r}: '{key}' is not text or a list")
            return None
        fields[str(key)] = value
    return DraftClaim(str(item.get("id", "")), str(item.get("type", "")), fields,
                      [(q, None) for q in quotes], str(item.get("note", "")))  # fmt: skip


def _concept(item: object, problems: list[str]) -> ProposedConcept | None:
    keys = ("id", "scheme", "label", "definition")
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in keys):
        problems.append(f"dropped a proposed concept without {', '.join(keys)}: {item!r:.60}")
        return None
    evidence = item.get("evidence")
    quotes = [evidence] if isinstance(evidence, str) else evidence or []
    aliases = item.get("aliases")
    return ProposedConcept(
        item["id"], item["scheme"], item["label"], item["definition"],
        [(str(q), None) for q in quotes if isinstance(q, str)],
        str(item.get("broader") or ""),
        [str(a) for a in aliases] if isinstance(aliases, list) else [],
    )  # fmt: skip


def _entity(item: object, problems: list[str]) -> ProposedEntity | None:
    if not isinstance(item, dict) or not all(isinstance(item.get(k), str)
                                             for k in ("id", "kind", "label")):  # fmt: skip
        problems.append(f"dropped a proposed entity without id, kind and label: {item!r:.60}")
        return None
    entity = ProposedEntity(item["id"], item["kind"], item["label"],
                            seen_as=str(item.get("seen as", "")))  # fmt: skip
    aliases = item.get("aliases")
    if isinstance(aliases, list) and aliases:
        entity.fields["aliases"] = [str(a) for a in aliases]
    return entity

"""A local stand-in for an OpenAI-compatible chat-completions endpoint: a real HTTP
server on 127.0.0.1 that answers each POST to ``/v1/chat/completions`` with the next
recorded answer, and keeps the requests it received. Nothing reaches the network."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

RECORDED = Path(__file__).parent / "data" / "draft" / "llm"


def completion(content: str, model: str = "replayed-model") -> bytes:
    """A chat completion (OpenAI's Chat Completions API) whose message is ``content``."""
    return json.dumps({
        "id": "chatcmpl-replay", "object": "chat.completion", "created": 0, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
    }).encode()  # fmt: skip


def recorded(name: str) -> bytes:
    """A recorded answer: tests/data/draft/llm/NAME.json holds the message content."""
    return completion((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Replay:
    url: str
    answers: list[tuple[int, bytes, float]] = field(default_factory=list)  # status, body, delay
    requests: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)

    def answer(self, body: bytes, status: int = 200, delay: float = 0.0) -> None:
        self.answers.append((status, body, delay))


@contextmanager
def replay_server() -> Iterator[Replay]:
    replay = Replay("")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            replay.requests.append((dict(self.headers), body))
            status, answer, delay = replay.answers.pop(0) if replay.answers else (500, b"{}", 0)
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    replay.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield replay
    finally:
        server.shutdown()
        server.server_close()

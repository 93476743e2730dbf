"""The frames between the server and its query workers (kg/server/sparql/wire.py):
what goes in comes out, whatever the text, and a reply's head is known only whole."""

from __future__ import annotations

import pytest

from kg.server.sparql.results import Limits
from kg.server.sparql.wire import LENGTH, Config, Job, Reply

LIMITS = Limits(100_000, 50_000_000, "https://example.org/sparql#truncated")


@pytest.mark.parametrize(
    "job",
    [
        Job("/r/1/store", "ASK {}", None, None, True, "json", "turtle", LIMITS, False),
        Job(
            "/r/é/store",
            'SELECT * { ?s ?p "naïve ☃ \U0001f600" }',
            ("urn:g1", "urn:g2"),
            (),
            False,
            None,
            "nquads",
            Limits(7, 9, ""),
            True,
        ),
        Job("/s", "x" * 300_000, (), ("urn:n",), False, "tsv", None, LIMITS, False),
    ],
)
def test_a_job_comes_out_as_it_went_in(job: Job) -> None:
    frame = job.encode()
    (length,) = LENGTH.unpack_from(frame)
    assert length == len(frame) - LENGTH.size
    assert Job.decode(frame[LENGTH.size :]) == job


def test_a_reply_head_is_read_only_once_complete() -> None:
    reply = Reply(200, "results", "json", "rows=5", "", 0)
    head, total = reply.encode(1234)
    assert total == len(head) + 1234
    for cut in range(len(head)):
        assert Reply.decode(head[:cut]) is None
    decoded, start = Reply.decode(head + b"body") or (None, 0)
    assert decoded == Reply(200, "results", "json", "rows=5", "", 1234)
    assert start == len(head)


def test_an_error_message_keeps_its_text() -> None:
    message = "SPARQL syntax error at line 1, column 6: expected one of '{'\n  ASK x\n       ^"
    head, _ = Reply(400, message=message).encode(0)
    decoded, _ = Reply.decode(head) or (None, 0)
    assert decoded is not None and decoded.message == message and decoded.status == 400


def test_the_config_comes_out_as_it_went_in() -> None:
    config = Config({"nkg": "https://w3id.org/negotiations-kg/ontology#"}, "https://w3id.org/x/")
    assert Config.decode(config.encode()[LENGTH.size :]) == config

"""What the rule-based drafter makes of the constructs articles use (docs/annotations.md,
"What articles say"): deadlines by a date and in hours, words shared by several
speakers, reported speech, rounds over several days, seasons, numbers, causes,
assessments, outcomes, offices and ranks that titles name, concepts the schemes lack,
and ids that read well and are unique across the seeds. Each article here is a few
sentences written for the test, over the drafting fixture's registry
(tests/data/draft/seeds); every draft must also validate."""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from kg import pipeline, seeds
from kg.cli import main
from kg.config import Settings
from kg.draft.agents import find_agents
from kg.draft.article import Ids
from kg.draft.rules import RuleExtractor
from kg.draft.run import Drafted, draft, read_article
from kg.errors import SeedErrors
from kg.progress import Steps
from kg.review.edit import plain, read
from kg.seeds import ID_PATTERN

from .conftest import add_entities, repo_settings

FIXTURE = Path(__file__).parent / "data" / "draft" / "seeds"

PEOPLE = """\
- id: ingrid-solberg
  kind: person
  label: Ingrid Solberg
  aliases: [Solberg]
"""


class Draft:
    """A drafted article, read back as plain data."""

    def __init__(self, drafted: Drafted) -> None:
        self.drafted = drafted
        data = read(drafted.path)
        self.data = data
        self.claims: list[dict[str, Any]] = [plain(c) for c in data.get("claims") or []]
        self.entities = [plain(e) for e in data.get("proposed entities") or []]
        self.concepts = [plain(c) for c in data.get("concepts") or []]

    def of(self, type_: str, **fields: object) -> list[dict[str, Any]]:
        return [c for c in self.claims if c["type"] == type_
                and all(c.get(k) == v for k, v in fields.items())]  # fmt: skip

    def one(self, type_: str, **fields: object) -> dict[str, Any]:
        found = self.of(type_, **fields)
        assert len(found) == 1, (type_, fields, [c["id"] for c in self.of(type_)])
        return found[0]

    def by_id(self, id_: str) -> dict[str, Any]:
        return next(c for c in self.claims if c["id"] == id_)


@pytest.fixture
def corpus(tmp_path: Path) -> Settings:
    """The drafting fixture's registry, without its article."""
    shutil.copytree(FIXTURE, tmp_path / "seeds")
    for path in (tmp_path / "seeds" / "documents").iterdir():
        path.unlink()
    add_entities(tmp_path / "seeds" / "registry.yaml", PEOPLE)
    return repo_settings(tmp_path / "var", seeds_dir=tmp_path / "seeds")


def _draft(settings: Settings, name: str, text: str) -> Draft:
    path = settings.seeds_dir / "documents" / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    drafted = draft(settings, path, RuleExtractor())
    assert not drafted.extraction.problems, drafted.extraction.problems
    pipeline.check(settings, Steps(quiet=True))  # the draft is valid annotation
    return Draft(drafted)


SIGNING = """\
Arland and Borovia signed a memorandum of understanding on water sharing in Vienna on \
Thursday, 12 November 2026, at the end of two days of talks mediated by Norway.
It was the third round of their talks.
Under its terms, Borovia will release 200 detainees within 72 hours of the signing.
Arland promised to submit its data on reservoir releases by the end of March.
Norway guarantees the agreement.
"""


def test_deadlines_counts_and_what_was_signed(corpus: Settings) -> None:
    found = _draft(corpus, "2026-11-12-vienna-memorandum", SIGNING)
    round_ = found.one("round")
    assert round_["date"] == "2026-11-11/2026-11-12", "two days ending on the 12th"
    assert "counted back" in round_["note"]
    agreement = found.one("agreement")
    assert agreement["date"] == "2026-11-12" and agreement["signed at"] == "vienna"
    assert agreement["guaranteed by"] == ["norway"]
    outcome = found.by_id(agreement["produced by"])
    assert outcome["of"] == round_["id"] and outcome["parties"] == ["arland", "borovia"]
    release = found.one("commitment", by=["borovia"])
    assert release["deadline"] == {"within": "PT72H", "from": agreement["id"],
                                   "wording": "within 72 hours of the signing"}  # fmt: skip
    assert release["quantities"] == [{"value": "200", "of": "detainees",
                                      "wording": "200 detainees"}]  # fmt: skip
    assert release["of"] == agreement["id"], "under its terms"
    data = found.one("commitment", by=["arland"])
    assert data["deadline"] == {"by": "2027-03", "wording": "by the end of March"}
    assert "note" not in data, "a deadline is a field, not a note"
    assert found.one("participation", agent="norway")["roles"] == ["mediator"]


TALKS = """\
Arland and Borovia ended the fourth round of their talks on sharing the waters of the \
Selva in Vienna on Thursday, 13 November 2025.
The round opened on Wednesday, 12 November, with Norway mediating.
Foreign Minister Lena Strand, who led Arland's delegation, told reporters the outline \
was "the best we have had in a decade".
Borovia's chief negotiator, Tomas Hale, was more guarded, saying only that "the text \
still needs work."
At the close, both delegations called the result "a workable outline" for a \
water-sharing accord.
Solberg said the parties had asked for more time to consult their capitals.
Both sides agree that a joint commission should measure the flow; whether its reports \
would be binding remains disputed, Solberg said.
Borovia insists on a guaranteed minimum flow of 40 cubic metres per second at the border.
The first round was held in Oslo in September, the second in Oslo in early October and \
the third, shorter round in Vienna later that month.
A fifth round is expected in the spring.
The talks began after a drought in the summer of 2025 that led to protests in Borovia.
"""


def test_rounds_speakers_speech_and_context(corpus: Settings) -> None:
    found = _draft(corpus, "2025-11-13-selva-round-4", TALKS)
    rounds = {r["number"]: r for r in found.of("round")}
    assert {n: (r.get("date"), r.get("city"), r["status"]) for n, r in rounds.items()} == {
        "1": ("2025-09", "oslo", "held"),
        "2": ("2025-10", "oslo", "held"),
        "3": ("2025-10", "vienna", "held"),
        "4": ("2025-11-12/2025-11-13", "vienna", "held"),
        "5": ("2026-21", None, "planned"),
    }
    assert rounds["4"]["date wording"] == "Wednesday, 12 November to Thursday, 13 November 2025"
    assert "The round opened on Wednesday, 12 November" in rounds["4"]["evidence"]
    assert rounds["3"]["evidence"] == ["the third, shorter round in Vienna later that month."]
    assert [rounds[n]["follows"] for n in "2345"] == [rounds[n]["id"] for n in "1234"]
    # who said what: a speaker named in the sentence is never the previous one
    speakers = {s["words"]: s["speaker"] for s in found.of("statement")}
    delegations = {d["of"]: d["id"] for d in found.of("delegation")}
    assert speakers == {
        "the best we have had in a decade": "lena-strand",
        "the text still needs work.": "tomas-hale",
        "a workable outline": [delegations["arland"], delegations["borovia"]],
    }
    assert found.by_id(delegations["borovia"])["head"] == "tomas-hale", "chief negotiator"
    outline = found.one("outcome")
    assert outline["label"] == "A workable outline for a water-sharing accord"
    assessed = {a["characterisation"][0]: (a["by"], a["of"]) for a in found.of("assessment")}
    assert assessed["a workable outline"] == (list(delegations.values()), outline["id"])
    assert assessed["the best we have had in a decade"] == (["lena-strand"], outline["id"])
    # reported speech, and whose words it reports
    reported = {r["content"]: r for r in found.of("reported speech")}
    asked = reported["the parties had asked for more time to consult their capitals"]
    assert asked["speaker"] == ["ingrid-solberg"]
    assert asked["reported speakers"] == ["arland", "borovia"]
    assert reported["whether its reports would be binding remains disputed"]["speaker"] == [
        "ingrid-solberg"
    ]
    # a number with a unit, on an issue the schemes lack (proposed)
    position = found.one("position", holder="borovia")
    assert position["stance"] == "insists-on"
    assert position["quantities"] == [{
        "value": "40", "unit": "cubic-metre-per-second",
        "of": "guaranteed minimum flow at the border", "wording": "40 cubic metres per second",
    }]  # fmt: skip
    issue = next(c for c in found.concepts if c["id"] == position["issue"])
    assert issue["scheme"] == "issue" and issue["label"] == "guaranteed minimum flow"
    # a season, and what led to what
    drought = found.one("context event", date="2025-22")
    protests = found.by_id(drought["led to"][1])
    assert (
        drought["led to"][0] == found.one("negotiation")["id"] and "began after" in drought["note"]
    )
    assert protests["label"] == "Protests in Borovia" and protests["relation"] == "background"


def test_a_channel_the_schemes_lack_is_proposed_and_refused_until_reviewed(
    corpus: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (
        "Arland and Borovia held talks in Vienna on 5 March 2026.\n"
        'In a written statement, Lena Strand said Arland "welcomes the progress".\n'
    )
    found = _draft(corpus, "2026-03-05-statement", text)
    statement = found.one("statement")
    assert statement["channel"] == "written-statement"
    [concept] = [c for c in found.concepts if c["scheme"] == "channel"]
    assert concept["id"] == "written-statement" and concept["evidence"] == [
        "In a written statement"
    ]
    assert concept["draft"] == found.data["extraction runs"][0]["id"]
    args = ["--seeds-dir", str(corpus.seeds_dir), "--data-dir", str(corpus.data_dir)]
    assert main([*args, "validate", "-q"]) == 0
    assert "warning: " in (err := capsys.readouterr().err)
    assert "proposes the channel concept 'written-statement'" in err
    assert main([*args, "build", "-q"]) == 3
    assert "proposes the channel concept 'written-statement'" in capsys.readouterr().err


def test_a_concept_draft_belongs_to_a_document(corpus: Settings) -> None:
    (corpus.seeds_dir / "concepts.yaml").write_text(
        "concepts:\n  - id: summit\n    scheme: format\n    label: summit\n"
        "    definition: Heads of state meet.\n    draft: rules-20261201t000000z\n",
        encoding="utf-8",
    )
    with pytest.raises(SeedErrors, match=r"concepts.yaml:6: has 'draft' in a file that belongs"):
        seeds.load(corpus.seeds_dir)


OFFICES = """\
Arland and Borovia held talks in Vienna on 5 March 2026 with Norway mediating.
Borovian Deputy Prime Minister Tomas Hale said the talks were useful.
Norway's Special Envoy Ingrid Solberg said they would go on.
Foreign Minister Jan Berg said nothing more.
Colonel Amir Haddad, the Arlandic military commander, was present.
"""


def test_titles_propose_people_offices_and_holdings(corpus: Settings) -> None:
    found = _draft(corpus, "2026-03-05-offices", OFFICES)
    proposed = {e["id"]: e for e in found.entities}
    assert proposed["deputy-prime-minister-of-borovia"] == {
        "id": "deputy-prime-minister-of-borovia", "kind": "office",
        "label": "Deputy Prime Minister of Borovia", "office in": "borovia",
        "note": "named in the text as: Borovian Deputy Prime Minister Tomas Hale",
        "draft": found.data["extraction runs"][0]["id"],
    }  # fmt: skip
    holdings = {(h["holder"], h["office"]): h["evidence"] for h in found.of("office holding")}
    assert holdings[("tomas-hale", "deputy-prime-minister-of-borovia")] == [
        "Borovian Deputy Prime Minister Tomas Hale"]  # fmt: skip
    assert holdings[("ingrid-solberg", "special-envoy-of-norway")] == [
        "Norway's Special Envoy Ingrid Solberg"], "a registry person, a new office"  # fmt: skip
    assert "ingrid-solberg" not in proposed
    assert proposed["jan-berg"]["kind"] == "person"
    assert not any(h == "jan-berg" for h, _ in holdings), "whose foreign minister? not said"
    assert found.one("rank")["rank"] == "colonel"
    assert holdings[("amir-haddad", "military-commander-of-arland")] == [
        "Amir Haddad, the Arlandic military commander"]  # fmt: skip


def test_ids_read_well_and_are_unique_across_the_seeds(corpus: Settings) -> None:
    first = _draft(corpus, "2026-02-05-vienna-round", "Arland and Borovia held a second round "
                   "of talks in Vienna on 5 February 2026.\n")  # fmt: skip
    assert first.one("round")["id"] == "vienna-round"
    assert first.one("negotiation")["id"] == "arland-borovia-talks"
    text = (
        "Arland and Borovia held a 3rd round of talks in Vienna on 2 April 2026.\n"
        "The first round was held in Oslo in May 2025, the second in Oslo in June 2025.\n"
        "A fourth round is expected in the autumn.\n"
    )
    second = _draft(corpus, "2026-04-02-vienna-round", text)
    ids = {r["number"]: r["id"] for r in second.of("round")}
    assert ids == {"1": "oslo-round-1", "2": "oslo-round-2", "3": "vienna-round-3",
                   "4": "arland-borovia-round-4"}  # fmt: skip
    assert second.one("negotiation")["id"] == "arland-borovia-talks-2026"
    every = [c["id"] for c in first.claims + second.claims]
    assert len(every) == len(set(every)) and all(ID_PATTERN.match(i) for i in every)
    assert not [i for i in every if re.search(r"-\d+-round|round-round|-\d+-\d+$", i)], every


def test_a_sentence_the_article_repeats_is_cited_by_its_occurrence(corpus: Settings) -> None:
    """A quotation repeated word for word (a wire report quoting it twice) is a claim at
    each place, each citing its own occurrence: nothing is dropped as ambiguous."""
    said = 'Strand said the talks had been "useful."'
    text = (f"Arland and Borovia held a second round of talks in Vienna on 5 March 2026.\n"
            f"{said}\nBorovia insists on a guaranteed minimum flow.\n{said}\n")  # fmt: skip
    found = _draft(corpus, "2026-03-05-repeated", text)
    evidence = sorted(str(s["evidence"]) for s in found.of("statement"))
    assert evidence == [str([{"quote": said, "occurrence": "1"}]),
                        str([{"quote": said, "occurrence": "2"}])]  # fmt: skip


def test_a_number_that_ends_a_position_is_its_quantity(corpus: Settings) -> None:
    text = (
        "Arland and Borovia held a second round of talks in Vienna on 5 March 2026.\n"
        "Borovia demands a minimum flow of 40 cubic metres per second.\n"
    )
    found = _draft(corpus, "2026-03-05-flow", text)
    assert found.one("position")["quantities"] == [{
        "value": "40", "unit": "cubic-metre-per-second", "of": "minimum flow",
        "wording": "40 cubic metres per second",
    }]  # fmt: skip


SERVANTS = """\
- id: river-front
  kind: organisation
  label: River Front Movement
  aliases: [the Movement]
- id: chief-negotiator-of-the-movement
  kind: office
  label: Chief negotiator of the River Front Movement
  office in: river-front
- id: president-of-arland
  kind: office
  label: President of Arland
  aliases: [President]
  office in: arland
- id: adviser-to-the-arlandic-president
  kind: office
  label: Adviser to the President of Arland
  office in: arland
- {id: mara-quell, kind: person, label: Mara Quell}
- {id: teo-brand, kind: person, label: Teo Brand}
- {id: piet-oster, kind: person, label: Piet Oster}
- id: field-experts
  kind: group
  label: Experts in hydrology, geology and law
"""

SERVED = """\
Arland and the River Front Movement held a second round of talks in Vienna on 5 March 2026.
It was the second round of a dialogue which started in January in Oslo.
The Movement's chief negotiator, Mara Quell, said the talks had been "difficult but honest."
President Teo Brand's adviser Piet Oster joined the talks.
Experts in hydrology, geology, and law took part.
"""


def test_offices_by_their_party_or_holder_a_serial_comma_and_the_first_round(
    corpus: Settings,
) -> None:
    """Registry entities the text names otherwise than by label: an office by its
    party's other name ("the Movement's chief negotiator"), an office that serves
    another by the holder's name ("President Teo Brand's adviser"), a list with a serial
    comma; and the first round, dated by when the talks "started"."""
    add_entities(corpus.seeds_dir / "registry.yaml", SERVANTS)
    found = _draft(corpus, "2026-03-05-served", SERVED)
    holdings = {(h["holder"], h["office"]): h["evidence"] for h in found.of("office holding")}
    assert holdings[("mara-quell", "chief-negotiator-of-the-movement")] == [
        "The Movement's chief negotiator, Mara Quell"]  # fmt: skip
    assert ("teo-brand", "president-of-arland") in holdings
    assert holdings[("piet-oster", "adviser-to-the-arlandic-president")] == ["adviser Piet Oster"]
    rounds = {r["number"]: (r.get("date"), r.get("city")) for r in found.of("round")}
    assert rounds == {"1": ("2026-01", "oslo"), "2": ("2026-03-05", "vienna")}
    assert found.one("round", number="1")["evidence"] == [
        "dialogue which started in January in Oslo"
    ]
    article = read_article(corpus, found.drafted.path.with_suffix(".txt"))
    mentions = {m.text: m.entity for m in find_agents(article, Ids(article.taken_ids)).mentions}
    assert mentions["Experts in hydrology, geology, and law"] == "field-experts"
    assert mentions["Teo Brand"] == "teo-brand" and mentions["adviser"].startswith("adviser-to")


UNKNOWN_PLACES = """\
Quenna and the Harbour League held the second round of their talks in Sollit on 2 June 2026,
mediated by the Tidewater Council.
The first round was held in Ravel Point in April.
The Tidewater Council said the parties had exchanged maps.
Quenna's envoy said nothing in May.
"""


def test_states_organisations_and_cities_the_registry_lacks_are_proposed(
    corpus: Settings,
) -> None:
    """A new article on parties the registry does not know: the parties, the mediating
    organisation and the cities are proposed from their cues (holding talks, a word
    such as Council or League, "held in"), so the negotiation and its rounds are
    drafted, with the organisation the talks are "mediated by"; months and known names
    are never proposed."""
    found = _draft(corpus, "2026-06-02-sollit-round", UNKNOWN_PLACES)
    proposed = {e["label"]: e["kind"] for e in found.entities}
    assert proposed == {"Quenna": "state", "Harbour League": "organisation", "Sollit": "city",
                        "Ravel Point": "city", "Tidewater Council": "organisation"}  # fmt: skip
    assert found.one("negotiation")["label"] == "Quenna–Harbour League talks"
    rounds = {r["number"]: (r.get("date"), r.get("city")) for r in found.of("round")}
    assert rounds == {"1": ("2026-04", "ravel-point"), "2": ("2026-06-02", "sollit")}
    assert found.one("participation", roles=["mediator"])["agent"] == "tidewater-council"


def test_a_hard_wrapped_article_keeps_its_line_breaks_in_every_quote(corpus: Settings) -> None:
    """Plain-text reports are often wrapped: a quote across a line break is written
    with its line break (a single-quoted YAML scalar would fold it into a space, and
    the quote would no longer be in the text)."""
    text = (
        "Arland and Borovia held a second round of talks in Vienna\non 5 March 2026.\n"
        'Lena Strand said the talks had been\n"frank and useful."\n'
    )
    found = _draft(corpus, "2026-03-05-wrapped", text)  # validates every quote
    assert found.one("round")["evidence"] == [
        text.splitlines(keepends=True)[0] + "on 5 March 2026."
    ]
    assert "\n" in found.one("statement")["evidence"][0]


SIDE_MEETINGS = """\
Arland and Borovia held a second round of talks in Vienna on 5 March 2026.
Arland's delegation arrived first, and Borovia's delegation came an hour later.
The two delegations exchanged lists of detainees and of missing persons.
Both sides held separate meetings with Ingrid Solberg to discuss the maps.
Lena Strand met Ingrid Solberg again and thanked her.
"""


def test_side_meetings_and_exchanges_of_notes(corpus: Settings) -> None:
    """Who "met" whom during the round (one meeting per side when "both sides held
    separate meetings with" someone), and what the delegations "exchanged", on an issue
    proposed from the words when the scheme has none."""
    found = _draft(corpus, "2026-03-05-side-meetings", SIDE_MEETINGS)
    round_ = found.one("round")["id"]
    delegations = sorted(d["id"] for d in found.of("delegation"))
    assert len(delegations) == 2
    meetings = sorted(sorted(m["participants"]) for m in found.of("meeting", **{"part of": round_}))
    assert meetings == sorted([sorted([d, "ingrid-solberg"]) for d in delegations]
                              + [["ingrid-solberg", "lena-strand"]])  # fmt: skip
    exchange = found.one("note exchange")
    assert sorted(exchange["between"]) == delegations and exchange["part of"] == round_
    topic = next(c for c in found.concepts if c["id"] == exchange["topics"][0])
    assert topic["label"] == "detainees and missing persons"
    assert topic["evidence"] == ["detainees and of missing persons"]


def test_one_subject_of_two_kinds_is_two_speakers(corpus: Settings) -> None:
    """ "Borovian state radio and Foreign Minister Lena Strand reported that ...": the
    reported speech has both speakers, not only the person."""
    add_entities(corpus.seeds_dir / "registry.yaml",
                 "- {id: borovian-radio, kind: group, label: Borovian state radio}\n")  # fmt: skip
    text = (
        "Arland and Borovia held a second round of talks in Vienna on 5 March 2026.\n"
        "Borovian state radio and Foreign Minister Lena Strand reported that the session "
        "lasted four hours.\n"
    )
    found = _draft(corpus, "2026-03-05-two-speakers", text)
    assert found.one("reported speech")["speaker"] == ["borovian-radio", "lena-strand"]

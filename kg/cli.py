"""The ``kg`` command: thin wrappers over the pipeline, the release and the server.

Exit status 0 on success; on failure, a one-line cause (or one line per seed problem)
on stderr and the error's own exit code (see kg.errors).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from kg import __version__, pipeline, release
from kg.config import Settings, settings_table
from kg.errors import KgError, QueryError, UsageError
from kg.formats import find, spellings
from kg.progress import Steps
from kg.publish import DUMPS, dump_name
from kg.queries import bind, find_query, parse, read_query_file, with_prefixes
from kg.query import OUTPUT_FORMATS, check, engine_errors, on_deep_stack, run, write
from kg.remote.publication import SWITCHES
from kg.void import select


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = Settings.from_env(data_dir=args.data_dir, seeds_dir=args.seeds_dir)
        code: int = args.run(settings, args)
        return code
    except KgError as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`kg dump | head`): stop quietly, as a Unix tool killed by
        # SIGPIPE does, and send what is still buffered nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except Exception as error:  # a bug: one line; the traceback only with --debug
        if args.debug:
            raise
        print(
            f"error: unexpected {type(error).__name__}: {' '.join(str(error).split())[:300]} "
            "— this is a bug in kg; run the command again with --debug and report what it "
            "prints",
            file=sys.stderr,
        )
        return 1


BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for a tool its pipe killed


def _parser() -> argparse.ArgumentParser:
    settings_help = "\n".join(
        f"  {var:<28} {help} (default: {default})"
        for var, default, help in settings_table().values()
    )
    parser = argparse.ArgumentParser(
        prog="kg",
        description="Build, query and serve the negotiations knowledge graph.",
        epilog="settings (environment variables):\n" + settings_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kg {__version__}")
    parser.add_argument("--data-dir", type=Path, help="where releases are written (KG_DATA_DIR)")
    parser.add_argument("--seeds-dir", type=Path, help="the seeds folder (KG_SEEDS_DIR)")
    parser.add_argument(
        "--debug", action="store_true", help="on an unexpected error, print the traceback"
    )
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(
        name: str, run: Callable[[Settings, argparse.Namespace], int], help: str
    ) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    build = command("build", _build, "compile, validate and publish a new release")
    build.add_argument("-q", "--quiet", action="store_true", help="print only the summary")
    build.add_argument(
        "--if-needed",
        action="store_true",
        help="build only if seeds, ontology or shapes changed since the current release",
    )
    build.add_argument(
        "--full",
        action="store_true",
        help="compile and validate everything, read nothing from the build cache",
    )
    check = command("validate", _validate, "compile and validate the seeds; make no release")
    check.add_argument("-q", "--quiet", action="store_true", help="print only the outcome")
    query = command("query", _query, "run a SPARQL query over the current release")
    source = query.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the query text")
    source.add_argument("-f", "--file", type=Path, help="read the query from a file")
    source.add_argument("-e", "--example", help="a competency query by name or number")
    query.add_argument("--format", default="table", choices=OUTPUT_FORMATS)
    query.add_argument("--show", action="store_true", help="print the query before its result")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a value for a parameter the query declares, such as fact=round:<id> (repeatable)",
    )
    dump = command("dump", _dump, "write a dump of the current release to stdout or a file")
    dump.add_argument("--format", default="ttl", choices=spellings(DUMPS))
    dump.add_argument("-o", "--output", type=Path, help="write to this file instead of stdout")
    link = command(
        "link",
        _link,
        "propose Wikidata items for entities without one; accept "
        "a proposal; fetch what Wikidata says about linked items",
    )
    link.add_argument(
        "--entity",
        action="append",
        default=[],
        metavar="ID",
        help="only these registry entities (repeatable)",
    )
    link.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="ID=QID",
        help="accept a reviewed proposal: write the id into the registry",
    )
    link.add_argument(
        "--fetch",
        action="store_true",
        help="cache labels, descriptions and key statements of linked items",
    )
    draft = command(
        "draft",
        _draft,
        "draft the annotation file of a new document (every claim marked as a draft)",
    )
    draft.add_argument("document", type=Path, help="the document's text: seeds/documents/NAME.txt")
    draft.add_argument(
        "--extractor",
        choices=["rules", "model"],
        default="rules",
        help="rules (needs nothing) or model (KG_LLM_URL, KG_LLM_MODEL, KG_LLM_API_KEY)",
    )
    review = command(
        "review", _review, "review a draft in the browser, on 127.0.0.1 only; save, validate"
    )
    review.add_argument("document", help="the document's name (NAME of NAME.txt and NAME.yaml)")
    review.add_argument("--port", type=_port, default=8765, help="port on 127.0.0.1 (8765)")
    serve = command("serve", _serve, "serve the current release over HTTP (read-only)")
    serve.add_argument("--host", help="address to listen on (KG_HOST)")
    serve.add_argument("--port", type=_port, help="port to listen on (KG_PORT)")
    serve.add_argument("--workers", type=int, help="worker processes (KG_WORKERS)")
    push = command(
        "publish",
        _publish,
        "make a release the live one in an external SPARQL store (Graph Store Protocol)",
    )
    push.add_argument(
        "--to", required=True, metavar="URL", help="the store's Graph Store Protocol endpoint"
    )
    push.add_argument("--update", metavar="URL", help="its SPARQL Update endpoint")
    push.add_argument("--query", metavar="URL", help="its SPARQL query endpoint")
    push.add_argument(
        "--switch",
        choices=SWITCHES,
        default="auto",
        help="how the new release goes live: one update MOVEs it onto the published graph "
        "names, or one triple in the record points to it (auto: pointer for Virtuoso)",
    )
    push.add_argument("--release", metavar="ID", help="a kept release instead of the current one")
    stats = command("stats", _stats, "counts of the current release")
    stats.add_argument("--json", action="store_true", help="print JSON")
    return parser


def _build(settings: Settings, args: argparse.Namespace) -> int:
    if args.if_needed and release.current_id(settings):
        live = release.current(settings)
        if pipeline.is_current(settings, live):
            print(f"release {live.id} is up to date: {live.path}")
            _print_counts(settings)
            return 0
    built = pipeline.build(settings, Steps(quiet=args.quiet), full=args.full)
    files = built.files
    print(f"release {built.id} is current: {built.path}")
    print(f"  validation: conforms ({built.manifest['validation']['results']} results)")
    for name, info in files.items():
        if name.startswith("dumps/"):
            print(f"  {name:<34} {info['size']:>12,} bytes  sha256 {info['sha256'][:16]}…")
    _print_counts(settings)
    return 0


def _validate(settings: Settings, args: argparse.Namespace) -> int:
    checked = pipeline.check(settings, Steps(quiet=args.quiet))
    print(
        f"conforms: {len(checked.compiled):,} triples in {len(checked.compiled.graphs)} "
        f"graphs satisfy the shapes"
    )
    if checked.report.results:
        print(checked.report.text(settings.ns.shorten))
    return 0


def _query(settings: Settings, args: argparse.Namespace) -> int:
    if args.example is not None:
        query = find_query(settings.queries_dir, args.example)
    elif args.file is not None:
        query = parse(args.file.name, read_query_file(args.file))
    else:
        query = parse("given", args.text)
    text = bind(query, _parameters(args.param), settings.ns.prefixes())
    if args.show:
        print(with_prefixes(text, settings.ns.prefixes()))
    plan = check(text, settings.ns, settings.allowed_services)
    store = release.current(settings).open_store()

    def answer() -> None:
        with engine_errors(plan):
            write(run(store, plan, settings.ns), args.format, sys.stdout.buffer, settings.ns)

    on_deep_stack(answer)
    sys.stdout.flush()
    return 0


def _parameters(given: list[str]) -> dict[str, str]:
    """``--param NAME=VALUE`` options as a mapping; each name once."""
    values: dict[str, str] = {}
    for item in given:
        name, equals, value = item.partition("=")
        name = name.strip().lstrip("?")
        if not equals or not name or not value.strip():
            raise QueryError(f"--param takes NAME=VALUE, such as fact=round:<id>; got {item!r}")
        if name in values:
            raise QueryError(f"--param {name} is given twice")
        values[name] = value
    return values


def _dump(settings: Settings, args: argparse.Namespace) -> int:
    current = release.current(settings)
    syntax = find(args.format, DUMPS)
    assert syntax is not None  # argparse checked the choice
    path = current.file(f"dumps/{dump_name(syntax)}")
    if args.output:
        try:
            shutil.copyfile(path, args.output)
        except OSError as exc:
            raise UsageError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
        print(f"wrote {args.output} ({path.stat().st_size:,} bytes)", file=sys.stderr)
    else:
        with path.open("rb") as handle:
            shutil.copyfileobj(handle, sys.stdout.buffer)
    return 0


def _link(settings: Settings, args: argparse.Namespace) -> int:
    from kg.link import workflow  # only this command talks to Wikidata

    for message in workflow.run(settings, args.entity, args.accept, args.fetch):
        print(message)
    return 0


def _draft(settings: Settings, args: argparse.Namespace) -> int:
    from kg.draft.run import draft, extractor  # only this command drafts

    drafted = draft(settings, args.document, extractor(args.extractor, settings))
    claims = drafted.extraction.claims
    counts: dict[str, int] = {}
    for claim in claims:
        counts[claim.type] = counts.get(claim.type, 0) + 1
    print(f"wrote {drafted.path}: {len(claims)} draft claims "
          f"({', '.join(f'{n} {t}' for t, n in counts.items()) or 'none'}), "
          f"{len(drafted.extraction.entities)} proposed registry additions, "
          f"{len(drafted.extraction.concepts)} proposed concepts")  # fmt: skip
    print(f"  coverage: {len(drafted.sentences) - len(drafted.uncovered)} of "
          f"{len(drafted.sentences)} sentences cited ({drafted.coverage:.0%})")  # fmt: skip
    for sentence in drafted.uncovered:
        print(f"  not cited: {' '.join(sentence.text.split())[:100]}")
    for problem in drafted.extraction.problems:
        print(f"  {problem}")
    print(f"next: kg review {args.document.stem}   (then kg build)")
    return 0


def _review(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from kg.review.app import create_app  # only this command reviews

    name = Path(args.document).stem  # NAME, NAME.yaml or a path all name the document
    app = create_app(settings, name, args.port)
    _check_listen("127.0.0.1", args.port)
    print(f"reviewing {name} at http://127.0.0.1:{args.port}/ (Ctrl-C stops)", file=sys.stderr)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    return 0


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn  # only this command needs the server

    settings = settings.with_(
        **{
            k: v
            for k, v in (("host", args.host), ("port", args.port), ("workers", args.workers))
            if v
        }
    )
    current = release.current(settings)  # fail early, with the fix, if there is none
    _check_listen(settings.host, settings.port)
    print(
        f"serving release {current.id} at http://{settings.host}:{settings.port}/", file=sys.stderr
    )
    os.environ.update(settings.to_env())  # each worker process reads its settings from here
    uvicorn.run(
        "kg.server.app:factory",
        factory=True,
        http="kg.server.limits:TimedHttpToolsProtocol",  # closes connections whose headers are late
        host=settings.host,
        port=settings.port,
        workers=settings.workers or os.cpu_count() or 1,
        log_level="info",
        access_log=settings.access_log,
        proxy_headers=True,
        forwarded_allow_ips=settings.trusted_proxies,
    )
    return 0


def _port(text: str) -> int:
    """A TCP port, for argparse."""
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port (1 to 65535)")
    return int(text)


def _check_listen(host: str, port: int) -> None:
    """Say in one line, before the server starts, that ``host:port`` cannot be listened
    on (a name that does not resolve, a port in use or reserved): uvicorn would print
    its own error and exit with 3, the code of a seed problem here."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        raise UsageError(
            f"cannot listen on {host}:{port}: {exc.strerror or exc} — choose another "
            "--host or --port (KG_HOST, KG_PORT)"
        ) from exc


def _publish(settings: Settings, args: argparse.Namespace) -> int:
    from kg.remote import client, publication  # only this command talks to a store

    chosen = (
        release.read(settings.releases_dir / args.release)
        if args.release
        else release.current(settings)
    )
    endpoints = client.Endpoints.resolve(args.to, args.update, args.query)
    store = client.StoreClient(endpoints, settings)
    base = str(chosen.manifest.get("base_iri", settings.base_iri))
    done = publication.publish(chosen, base, store, args.switch, say=print)
    if done.already:
        print(f"release {done.release} was live already at {endpoints.graph_store} ({done.switch})")
    else:
        seconds = done.seconds
        print(
            f"release {done.release} is live at {endpoints.graph_store} (switch: {done.switch}): "
            f"{done.uploaded} graphs uploaded ({done.triples:,} triples, "
            f"{seconds['upload']:.1f} s), {done.unchanged} unchanged, {done.resumed} resumed; "
            f"switched in {seconds['switch']:.1f} s"
        )
    if done.removed:
        print(f"  removed {done.removed} graphs of older or unfinished publications")
    return 0


def _stats(settings: Settings, args: argparse.Namespace) -> int:
    counts = _counts(settings)
    if args.json:
        print(json.dumps(counts, indent=2))
    else:
        _print_counts(settings, counts)
    return 0


def _counts(settings: Settings) -> dict[str, object]:
    """What the current release holds: from its manifest (what its VoID counts), or, for
    a release made before manifests had them, by SPARQL over its store."""
    current = release.current(settings)
    counted = current.manifest.get("statistics")
    if isinstance(counted, dict):
        return {"release": current.id, **counted}
    store = current.open_store()
    ns = settings.ns
    totals = next(
        iter(select(store, "SELECT (COUNT(*) AS ?t) (COUNT(DISTINCT ?s) AS ?s) { ?s ?p ?o }"))
    )
    graphs = select(
        store,
        "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
        union=False,
    )
    classes = select(
        store,
        f"SELECT ?c (COUNT(DISTINCT ?s) AS ?n) {{ ?s a ?c "
        f"FILTER(STRSTARTS(STR(?c), '{ns.nkg}')) }} GROUP BY ?c ORDER BY ?c",
    )
    return {
        "release": current.id,
        "triples": int(totals[0].value),
        "subjects": int(totals[1].value),
        "graphs": {ns.shorten(r[0].value): int(r[1].value) for r in graphs},
        "classes": {ns.shorten(r[0].value): int(r[1].value) for r in classes},
    }


SUMMARY_ITEMS = 12  # per line of the summary; `kg stats --json` lists them all


def _print_counts(settings: Settings, counts: dict[str, object] | None = None) -> None:
    counts = counts or _counts(settings)
    print(f"  {counts['triples']:,} triples (union of all graphs), {counts['subjects']:,} subjects")
    for section in ("graphs", "classes"):
        values = counts[section]
        assert isinstance(values, dict)
        shown = [f"{k} {v:,}" for k, v in list(values.items())[:SUMMARY_ITEMS]]
        if len(values) > SUMMARY_ITEMS:
            shown.append(f"and {len(values) - SUMMARY_ITEMS:,} more (kg stats --json)")
        print(f"  {len(values):,} {section}: " + ", ".join(shown))


if __name__ == "__main__":
    sys.exit(main())

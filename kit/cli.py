"""The ``samskaping`` command.

``samskaping serve`` starts the apps; ``samskaping check-cases FILE`` tells a course leader what to
mend in their own case file; ``samskaping template FILE`` writes a file to start from.

The command speaks the language of ``--lang`` (anywhere on the line), else of the environment
(:func:`kit.i18n.lang_from_environ`: ``KIT_LANG``, then ``LC_ALL``/``LC_MESSAGES``/``LANG``),
bokmål by default; its texts live in ``data/i18n/<lang>/`` (``core.yaml``, ``cli.yaml``, ...).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from pathlib import Path

from . import serve as _serve
from .casefile import CaseReport, read_in_library, read_library, write_template
from .casefile_formats import file_format
from .cases import TIERS, Case, domain_label
from .exercise import level_label
from .i18n import LANGUAGES, lang_from_environ, normalize_lang, t
from .model import PROCESSES


def _lang_option(lang: str) -> argparse.ArgumentParser:
    """``--lang``, accepted before and after the command (read early by :func:`cli_lang`)."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=t("cli_lang_help", lang),
    )
    return common


def cli_lang(argv: list[str], environ: os._Environ[str] | dict[str, str] = os.environ) -> str:
    """The command's language: ``--lang X`` or ``--lang=X`` on the line (before ``--``), else
    the environment's (bokmål by default)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(argv):
            return normalize_lang(argv[i + 1])
        if arg.startswith("--lang="):
            return normalize_lang(arg.split("=", 1)[1])
    return lang_from_environ(environ)


def _parser(lang: str) -> argparse.ArgumentParser:
    common = _lang_option(lang)
    parser = argparse.ArgumentParser(
        prog="samskaping", description=t("cli_description", lang), parents=[common]
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, help_key: str) -> argparse.ArgumentParser:
        return sub.add_parser(
            name, help=t(help_key, lang), description=t(help_key, lang), parents=[common]
        )

    serve = add("serve", "cli_serve_help")
    serve.add_argument(
        "--port", type=int, default=_serve.DEFAULT_PORT, help=t("cli_port_help", lang)
    )
    serve.add_argument("--no-browser", action="store_true", help=t("cli_no_browser_help", lang))
    serve.add_argument("--host", default=_serve.HOST, help=t("cli_host_help", lang))
    serve.add_argument("--public-url", metavar="URL", help=t("cli_public_url_help", lang))
    serve.add_argument("--db", metavar="URL", help=t("cli_db_help", lang))
    serve.add_argument("--base-url", default="/", metavar="PATH", help=t("cli_base_url_help", lang))
    serve.add_argument(
        "--max-kernels",
        type=int,
        default=_serve.MAX_KERNELS,
        metavar="N",
        help=t("cli_max_kernels_help", lang),
    )
    serve.add_argument(
        "--kernel-connect-timeout",
        type=float,
        default=_serve.KERNEL_CONNECT_TIMEOUT,
        metavar="SECONDS",
        help=t("cli_connect_timeout_help", lang),
    )
    serve.add_argument(
        "--kernel-memory",
        type=int,
        default=_serve.KERNEL_MEMORY_MB,
        metavar="MB",
        help=t("cli_kernel_memory_help", lang),
    )
    check = add("check-cases", "cases_cli_check_help")
    check.add_argument("file", metavar="FILE", nargs="?", help=t("cases_cli_check_file_help", lang))
    check.add_argument("--library", action="store_true", help=t("cases_cli_library_help", lang))
    template = add("template", "cases_cli_template_help")
    template.add_argument("file", metavar="FILE", help=t("cases_cli_template_file_help", lang))
    template.add_argument("--force", action="store_true", help=t("cases_cli_force_help", lang))
    purge = add("purge-answers", "cli_purge_help")
    purge.add_argument(
        "--days", type=int, required=True, metavar="N", help=t("cli_days_help", lang)
    )
    purge.add_argument("--db", metavar="URL", help=t("cli_db_help", lang))
    return parser


def _prepare_charts(lang: str) -> None:
    """Build the offline chart bundle once, before the first learner waits for it."""
    from .widgets.charts import build_bundle, bundle_path

    if bundle_path().exists():
        return
    print(t("cli_preparing_charts", lang), flush=True)
    try:
        build_bundle()
    except Exception as exc:  # noqa: BLE001 - the apps still start; charts build on first use
        print(t("cli_charts_failed", lang, error=exc), file=sys.stderr)


def _cmd_serve(args: argparse.Namespace, lang: str) -> int:
    if not 0 < args.port < 65536:
        print(t("cli_port_invalid", lang, port=args.port), file=sys.stderr)
        return 2
    for option, value in (
        ("--max-kernels", args.max_kernels),
        ("--kernel-connect-timeout", args.kernel_connect_timeout),
        ("--kernel-memory", args.kernel_memory),
    ):
        if value < 0:
            print(t("cli_limit_invalid", lang, option=option), file=sys.stderr)
            return 2
    if not _serve.port_is_free(args.port, args.host):
        print(t("cli_port_taken", lang, port=args.port), file=sys.stderr)
        return 2
    problem = _check_store(args.db, lang)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    _prepare_charts(lang)
    argv = _serve.voila_argv(
        args.port,
        open_browser=not args.no_browser,
        host=args.host,
        base_url=args.base_url,
        max_kernels=args.max_kernels,
        connect_timeout=args.kernel_connect_timeout,
        kernel_memory_mb=args.kernel_memory,
    )
    extra = {}
    if args.db:
        extra["KIT_DB_URL"] = args.db
    public = args.public_url or _serve.guess_public_url(args.host, args.port, args.base_url)
    if public:
        extra["KIT_PUBLIC_URL"] = public
    # The server prints these itself, once a request to its address is answered (or the other
    # line if it stops before): the address is never printed before it can be opened.
    url = _serve.app_url(args.port, base_url=args.base_url)
    ready = [t("cli_serving", lang, url=url)]
    if args.host != _serve.HOST:
        ready.append(t("cli_serving_network", lang, url=public or args.host))
    extra[_serve.READY_ENV] = "\n".join(ready)
    extra[_serve.FAILED_ENV] = t("cli_serve_exited", lang)
    print(t("cli_starting", lang, port=args.port), flush=True)
    os.execve(argv[0], argv, _serve.voila_env(extra=extra))
    return 0  # pragma: no cover - execve does not return


def _check_store(url: str | None, lang: str) -> str | None:
    """Open the live store once before serving: a bad ``--db`` is one clear line, not a
    server whose "Start" and "Join" buttons silently do nothing."""
    from .live.store import Store, StoreError

    try:
        with Store(url) as store:
            store.check_writable()
    except StoreError as exc:
        return t("cli_db_failed", lang, reason=t("live_err_" + exc.key, lang))
    return None


def _cmd_check_cases(args: argparse.Namespace, lang: str) -> int:
    """Every problem on its own line (stdout), the count on stderr; exit 1 if any.

    A file of the built-in library is checked against the other library files too (ids unique
    across them, pairs into them); ``--library`` checks the whole library and counts its cases.
    """
    if args.library == bool(args.file):
        print(t("cases_cli_file_or_library", lang), file=sys.stderr)
        return 2
    report = read_library(lang=lang) if args.library else read_in_library(args.file, lang)
    if not report.ok:
        for line in report.lines(lang):
            print(line)
        print(t("cases_summary", lang, n=len(report.problems)), file=sys.stderr)
        return 1
    tiers = _tier_counts(report.cases, lang)
    if args.library:
        print(
            t("cases_library_ok", lang, n=len(report.cases), files=len(report.files), tiers=tiers)
        )
        for line in _library_lines(report, lang):
            print(line)
    else:
        print(t("cases_ok", lang, n=len(report.cases), tiers=tiers))
    for warning in report.warnings:
        print(warning.line(lang, warning=True))
    return 0


def _counted(pairs: list[tuple[str, int]], sep: str = ": ") -> str:
    return ", ".join(f"{label}{sep}{n}" for label, n in pairs)


def _tier_counts(cases: tuple[Case, ...], lang: str) -> str:
    """ "lett 35, middels 30, vanskelig 25", every tier named, in the tiers' order."""
    counts = Counter(c.tier for c in cases)
    return _counted([(t("tier_" + tier, lang), counts[tier]) for tier in TIERS], " ")


def _library_lines(report: CaseReport, lang: str) -> list[str]:
    """The library's cases counted per file, process, level, domain and chain."""
    cases = report.cases
    processes = Counter(c.process for c in cases)
    levels = Counter(c.level for c in cases)
    domains = Counter(c.domain for c in cases)
    chains = Counter(c.chain for c in cases if c.chain)
    by_domain = sorted(domains.items(), key=lambda item: (-item[1], item[0]))
    return [
        t("cases_count_files", lang, counts=_counted(list(report.files))),
        t(
            "cases_count_processes",
            lang,
            counts=_counted([(t("process_" + p, lang), processes[p]) for p in PROCESSES]),
        ),
        t(
            "cases_count_levels",
            lang,
            counts=_counted([(level_label(lv, lang), levels[lv]) for lv in (1, 2, 3, None)]),
        ),
        t(
            "cases_count_domains",
            lang,
            counts=_counted([(domain_label(d, lang), n) for d, n in by_domain]),
        ),
        t("cases_count_chains", lang, n=len(chains), cases=sum(chains.values())),
    ]


def _cmd_template(args: argparse.Namespace, lang: str) -> int:
    path = Path(args.file)
    if file_format(path.name) not in ("csv", "xlsx"):
        print(t("cases_template_bad_type", lang, ext=path.suffix or path.name), file=sys.stderr)
        return 2
    if path.exists() and not args.force:
        print(t("cases_template_exists", lang, path=path), file=sys.stderr)
        return 2
    try:
        write_template(path, lang)
    except OSError as exc:
        reason = exc.strerror or exc
        print(t("cases_template_write_failed", lang, path=path, reason=reason), file=sys.stderr)
        return 1
    print(t("cases_template_written", lang, path=path))
    return 0


def _cmd_purge(args: argparse.Namespace, lang: str) -> int:
    """Delete live sessions older than --days (all their answers with them)."""
    from datetime import timedelta

    from .live.store import Store, StoreError

    if args.days < 0:
        print(t("cli_days_invalid", lang), file=sys.stderr)
        return 2
    try:
        with Store(args.db) as store:
            gone = store.purge(timedelta(days=args.days))
    except StoreError as exc:
        print(t("live_err_" + exc.key, lang), file=sys.stderr)
        return 1
    print(t("cli_purged", lang, n=gone, days=args.days))
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    argv = sys.argv[1:] if argv is None else argv
    lang = cli_lang(argv)
    args = _parser(lang).parse_args(argv)
    if args.command == "serve":
        return _cmd_serve(args, lang)
    if args.command == "check-cases":
        return _cmd_check_cases(args, lang)
    if args.command == "template":
        return _cmd_template(args, lang)
    if args.command == "purge-answers":
        return _cmd_purge(args, lang)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

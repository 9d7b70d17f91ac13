"""The ``samskaping`` command.

``samskaping serve`` starts the apps; ``samskaping check-cases FILE`` tells a course leader what to
mend in their own case file; ``samskaping template FILE`` writes a file to start from;
``samskaping verksted eksempel FILE`` writes the sample workshop's draft agreement (.docx, .html
or .md).

The command speaks the language of ``--lang`` (anywhere on the line), else of the environment
(:func:`kit.core.i18n.lang_from_environ`: ``KIT_LANG``, then ``LC_ALL``/``LC_MESSAGES``/``LANG``),
bokmål by default; its texts live in ``data/i18n/<lang>/`` (``core.yaml``, ``cli.yaml``, ...).
So do argparse's own words: the usage line, the group titles, ``-h`` and its error messages
(:class:`_Parser`). Every command first checks the ``KIT_*`` settings (:mod:`kit.core.config`):
a value that cannot be used is one line naming it, and exit status 2; ``serve --help`` lists them.
"""

from __future__ import annotations

import argparse
import functools
import os
import re
import shlex
import sys
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any, NoReturn

from kit.cases.case import TIERS, Case, domain_label
from kit.cases.casefile import CaseReport, read_in_library, read_library, write_template
from kit.cases.lms.export import ALL_LANGUAGES, FORMATS, export_files, filter_cases
from kit.cases.lms.export import languages as export_languages
from kit.core import config
from kit.core.address import DEFAULT_PORT
from kit.core.i18n import (
    LANGUAGES,
    has_text,
    lang_from_environ,
    normalize_lang,
    setting_message,
    t,
)
from kit.core.invocation import samskaping_command as _command
from kit.core.tables import file_format
from kit.model.labels import level_label, process_label
from kit.model.model import PROCESSES
from kit.server import serve as _serve

#: argparse's error messages (the same formats from Python 3.10 to 3.13) and the key of each
#: one's text; a message of none of these forms is shown as argparse wrote it.
_ARGPARSE_ERRORS = tuple(
    (key, re.compile(pattern, re.DOTALL))
    for key, pattern in (
        ("cli_error_required", r"the following arguments are required: (?P<arguments>.+)"),
        ("cli_error_unrecognized", r"unrecognized arguments: (?P<arguments>.+)"),
        (
            "cli_error_invalid_choice",
            r"invalid choice: (?P<value>.+) \(choose from (?P<choices>.*)\)",
        ),
        ("cli_error_invalid_value", r"invalid (?P<type>\w+) value: (?P<value>.+)"),
        ("cli_error_expected_one", r"expected one argument"),
        ("cli_error_ambiguous", r"ambiguous option: (?P<option>\S+) could match (?P<matches>.+)"),
        ("cli_error_ignored_value", r"ignored explicit argument (?P<value>.+)"),
    )
)
#: argparse's "argument --port: <message>" around a message about one argument
_ARGUMENT_ERROR = re.compile(r"argument (?P<argument>.+?): (?P<message>.+)", re.DOTALL)


def _choices(listed: str) -> str:
    """argparse's list of choices, the same on every Python: depending on the release, argparse
    quotes every choice (``'nb', 'nn'``: 3.10, 3.11, 3.12.6, 3.13.0) or none (``nb, nn``: some
    later patch releases); the kit shows them without quotes."""
    items = listed.split(", ")
    if all(len(item) >= 2 and item[0] == item[-1] == "'" for item in items):
        return ", ".join(item[1:-1] for item in items)
    return listed


def argparse_message(message: str, lang: str) -> str:
    """One of argparse's error messages in ``lang`` (unchanged if it is none it knows)."""
    around = _ARGUMENT_ERROR.fullmatch(message)
    if around:
        inner = argparse_message(around["message"], lang)
        return t("cli_error_argument", lang, argument=around["argument"], message=inner)
    for key, pattern in _ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if not found:
            continue
        values = found.groupdict()
        if "choices" in values:
            values["choices"] = _choices(values["choices"])
        if "type" in values:
            if not has_text("cli_type_" + values["type"], lang):
                return message  # a type the kit has no name for: argparse's sentence
            values["type"] = t("cli_type_" + values["type"], lang)
        return t(key, lang, **values)
    return message


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with the usage line's prefix in the command's language, and the
    lines of a description or epilog kept (each wrapped on its own: the list of settings)."""

    def __init__(self, prog: str, *, lang: str, **kwargs: Any) -> None:
        super().__init__(prog, **kwargs)
        self._lang = lang

    def add_usage(
        self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
    ) -> None:
        if prefix is None:
            prefix = t("cli_usage", self._lang) + " "
        super().add_usage(usage, actions, groups, prefix)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        lines = []
        for line in text.splitlines():
            body = line.lstrip()
            first = indent + line[: len(line) - len(body)]
            lines.append(
                textwrap.fill(
                    body,
                    width,
                    initial_indent=first,
                    subsequent_indent=first + "  ",
                    break_long_words=False,
                    break_on_hyphens=False,
                )
            )
        return "\n".join(lines)


class _Parser(argparse.ArgumentParser):
    """An argparse parser that speaks ``lang``: the usage line, the group titles, ``-h`` and the
    error messages (on stderr, exit status 2, as argparse's own). Its sub-commands are parsers
    of this class too (``add_parser(name, lang=lang)``)."""

    def __init__(self, *, lang: str, add_help: bool = True, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", functools.partial(_HelpFormatter, lang=lang))
        super().__init__(add_help=False, **kwargs)
        self.lang = lang
        self.add_help = add_help
        self._positionals.title = t("cli_positionals", lang)
        self._optionals.title = t("cli_options", lang)
        if add_help:
            self.add_argument(
                "-h", "--help", action="help", default=argparse.SUPPRESS, help=t("cli_help", lang)
            )

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        message = argparse_message(message, self.lang)
        self.exit(2, t("cli_error", self.lang, prog=self.prog, message=message) + "\n")


def _add_lang_option(parser: argparse.ArgumentParser, lang: str) -> None:
    """``--lang``, accepted before and after the command (read early by :func:`cli_lang`)."""
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=t("cli_lang_help", lang),
    )


def cli_lang(argv: list[str], environ: os._Environ[str] | dict[str, str] = os.environ) -> str:
    """The command's language: ``--lang X`` or ``--lang=X`` on the line (before ``--``), else
    the environment's (bokmål by default)."""
    for i, arg in enumerate(argv):
        if arg == "--":
            break
        value = argv[i + 1] if arg == "--lang" and i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            value = arg.split("=", 1)[1]
        # "all" (samskaping export's three languages) names no language to speak
        if value is not None and value != ALL_LANGUAGES:
            return normalize_lang(value)
    return lang_from_environ(environ)


def _parser(lang: str) -> argparse.ArgumentParser:
    parser = _Parser(prog="samskaping", description=t("cli_description", lang), lang=lang)
    _add_lang_option(parser, lang)
    sub = parser.add_subparsers(
        dest="command", required=True, metavar=t("cli_metavar_command", lang)
    )

    def add(name: str, help_key: str, epilog: str | None = None) -> argparse.ArgumentParser:
        command = sub.add_parser(
            name, help=t(help_key, lang), description=t(help_key, lang), epilog=epilog, lang=lang
        )
        _add_lang_option(command, lang)
        return command

    serve = add("serve", "cli_serve_help", epilog=settings_help(lang))
    serve.add_argument("--port", type=int, default=DEFAULT_PORT, help=t("cli_port_help", lang))
    serve.add_argument("--no-browser", action="store_true", help=t("cli_no_browser_help", lang))
    serve.add_argument("--host", default=_serve.HOST, help=t("cli_host_help", lang))
    serve.add_argument("--public-url", metavar="URL", help=t("cli_public_url_help", lang))
    serve.add_argument("--db", metavar="URL", help=t("cli_db_help", lang))
    serve.add_argument("--log", metavar=t("cli_metavar_file", lang), help=t("cli_log_help", lang))
    serve.add_argument(
        "--base-url",
        default="/",
        metavar=t("cli_metavar_path", lang),
        help=t("cli_base_url_help", lang),
    )
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
        metavar=t("cli_metavar_seconds", lang),
        help=t("cli_connect_timeout_help", lang),
    )
    serve.add_argument(
        "--kernel-memory",
        type=int,
        default=_serve.KERNEL_MEMORY_MB,
        metavar="MB",
        help=t("cli_kernel_memory_help", lang),
    )
    serve.add_argument(
        "--max-kernels-per-address",
        type=int,
        default=_serve.MAX_KERNELS_PER_ADDRESS,
        metavar="N",
        help=t("cli_max_kernels_per_address_help", lang),
    )
    serve.add_argument(
        "--reserved-kernels",
        type=int,
        default=_serve.RESERVED_KERNELS,
        metavar="N",
        help=t("cli_reserved_kernels_help", lang),
    )
    serve.add_argument(
        "--preheat", type=int, default=_serve.PREHEAT, metavar="N", help=t("cli_preheat_help", lang)
    )
    serve.add_argument(
        "--preheat-app",
        action="append",
        default=[],
        metavar=t("cli_metavar_app_count", lang),
        help=t("cli_preheat_app_help", lang),
    )
    serve.add_argument(
        "--retention-days",
        metavar=t("cli_metavar_days", lang),
        help=t("cli_retention_days_help", lang),
    )
    serve.add_argument(
        "--rooms-per-hour",
        metavar="N",
        help=t("cli_rooms_per_hour_help", lang),
    )
    check = add("check-cases", "cases_cli_check_help")
    _add_case_source(check, lang, "cases_cli_check_file_help", "cases_cli_library_help")
    export = add("export", "lms_cli_help")
    export.add_argument("format", choices=list(FORMATS), help=t("lms_cli_format_help", lang))
    _add_case_source(export, lang, "lms_cli_file_help", "lms_cli_library_help")
    # the export's --lang takes "all" too (it replaces the --lang every command has)
    for action in export._actions:
        if action.dest == "lang":
            action.choices = [*LANGUAGES, ALL_LANGUAGES]
            action.help = t("lms_cli_lang_help", lang)
    export.add_argument(
        "-o",
        "--output",
        metavar=t("cli_metavar_file", lang),
        help=t("lms_cli_output_help", lang),
    )
    export.add_argument(
        "--tier", action="append", default=[], choices=TIERS, help=t("lms_cli_tier_help", lang)
    )
    for option, dest, metavar, key in (
        ("--domain", "domain", t("lms_cli_metavar_domain", lang), "lms_cli_domain_help"),
        ("--id", "ids", "ID", "lms_cli_id_help"),
    ):
        export.add_argument(
            option, action="append", default=[], dest=dest, metavar=metavar, help=t(key, lang)
        )
    export.add_argument("--force", action="store_true", help=t("cases_cli_force_help", lang))
    template = add("template", "cases_cli_template_help")
    template.add_argument(
        "file", metavar=t("cli_metavar_file", lang), help=t("cases_cli_template_file_help", lang)
    )
    template.add_argument("--force", action="store_true", help=t("cases_cli_force_help", lang))
    purge = add("purge-answers", "cli_purge_help")
    purge.add_argument(
        "--days", type=int, required=True, metavar="N", help=t("cli_days_help", lang)
    )
    purge.add_argument("--db", metavar="URL", help=t("cli_db_help", lang))
    workshop = add("verksted", "workshop_cli_help")
    steps = workshop.add_subparsers(
        dest="workshop_command",
        required=True,
        metavar=t("cli_metavar_command", lang),
        parser_class=_Parser,
    )
    example = steps.add_parser(
        "eksempel",
        help=t("workshop_cli_example_help", lang),
        description=t("workshop_cli_example_help", lang),
        lang=lang,
    )
    _add_lang_option(example, lang)
    example.add_argument(
        "file", metavar=t("cli_metavar_file", lang), help=t("workshop_cli_example_file_help", lang)
    )
    example.add_argument("--force", action="store_true", help=t("cases_cli_force_help", lang))
    return parser


def _add_case_source(
    parser: argparse.ArgumentParser, lang: str, file_key: str, library_key: str
) -> None:
    """A case file (``FILE``) or ``--library``, as ``check-cases`` and ``export`` take them."""
    parser.add_argument(
        "file", metavar=t("cli_metavar_file", lang), nargs="?", help=t(file_key, lang)
    )
    parser.add_argument("--library", action="store_true", help=t(library_key, lang))


def settings_help(lang: str) -> str:
    """The end of ``serve --help``: every setting a person can give in the environment, one
    line each (:data:`kit.core.config.PUBLIC_SETTINGS`)."""
    lines = [t("cli_settings_intro", lang)]
    for setting in config.PUBLIC_SETTINGS:
        if setting.doc_key:  # every public one has it (tests/test_config.py)
            lines.append(f"  {setting.name}: {t(setting.doc_key, lang)}")
    return "\n".join(lines)


def _prepare_charts(lang: str) -> None:
    """Build the offline chart bundle once, before the first learner waits for it."""
    from kit.core.ui.charts import build_bundle, bundle_path

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
        ("--max-kernels-per-address", args.max_kernels_per_address),
        ("--reserved-kernels", args.reserved_kernels),
        ("--preheat", args.preheat),
    ):
        if value < 0:
            print(t("cli_limit_invalid", lang, option=option), file=sys.stderr)
            return 2
    if args.max_kernels > 0 and args.reserved_kernels >= args.max_kernels:
        print(t("cli_reserved_invalid", lang, n=args.max_kernels), file=sys.stderr)
        return 2
    try:
        public_url = config.PUBLIC_URL.read(args.public_url, name="--public-url")
        retention_days = _option_or_setting(config.RETENTION_DAYS, args.retention_days)
        rooms_per_hour = _option_or_setting(config.ROOMS_PER_HOUR, args.rooms_per_hour)
    except config.ConfigError as exc:
        print(setting_message(exc, lang), file=sys.stderr)
        return 2
    preheat_apps = preheat_sizes(args.preheat_app)
    if isinstance(preheat_apps, str):
        print(
            t("cli_preheat_app_invalid", lang, value=preheat_apps, apps=", ".join(app_names())),
            file=sys.stderr,
        )
        return 2
    if not _serve.port_is_free(args.port, args.host):
        print(t("cli_port_taken", lang, port=args.port, command=_command()), file=sys.stderr)
        return 2
    problem = _check_store(args.db, lang)
    if problem:
        print(problem, file=sys.stderr)
        return 2
    ceiling = _serve.open_file_ceiling()
    if 0 < ceiling < _serve.OPEN_FILES_LOW:  # the server raises its limit to this, no further
        print(t("cli_open_files_low", lang, limit=ceiling, phones=ceiling // 2), file=sys.stderr)
    _prepare_charts(lang)
    argv = _serve.voila_argv(
        args.port,
        open_browser=not args.no_browser,
        host=args.host,
        base_url=args.base_url,
        max_kernels=args.max_kernels,
        connect_timeout=args.kernel_connect_timeout,
        kernel_memory_mb=args.kernel_memory,
        max_kernels_per_address=args.max_kernels_per_address,
        reserved_kernels=args.reserved_kernels,
        preheat=args.preheat,
        preheat_apps=preheat_apps,
    )
    extra = {
        config.RETENTION_DAYS.name: str(retention_days),
        # the server's kernels count the sessions and workshops they create against it
        config.ROOMS_PER_HOUR.name: str(rooms_per_hour),
    }
    if args.db:
        extra[config.DB_URL.name] = args.db
    public = (
        public_url
        or config.PUBLIC_URL.get()
        or _serve.guess_public_url(args.host, args.port, args.base_url)
    )
    if public:
        extra[config.PUBLIC_URL.name] = public
    # The server prints these itself, once a request to its address is answered (or the other
    # line if it stops before): the address is never printed before it can be opened.
    url = _serve.app_url(args.port, base_url=args.base_url)
    ready = [t("cli_serving", lang, url=url)]
    if args.host != _serve.HOST:
        ready.append(t("cli_serving_network", lang, url=public or args.host))
    extra[_serve.READY_ENV] = "\n".join(ready)
    log = Path(args.log) if args.log else _serve.default_log_path(args.port)
    extra[_serve.FAILED_ENV] = t("cli_serve_exited", lang, log=log)
    print(t("cli_starting", lang, port=args.port), flush=True)
    print(t("cli_serve_log", lang, log=log), flush=True)
    try:
        # The server's own messages (Voilà's, the kernels', warnings) go to the log; the
        # terminal gets the address once it answers, or the line saying it stopped.
        extra[_serve.TERMINAL_ENV] = _serve.send_output_to_log(log)
    except OSError as exc:
        print(t("cli_log_failed", lang, log=log, reason=exc.strerror or exc), file=sys.stderr)
        return 2
    os.execve(argv[0], argv, _serve.voila_env(extra=extra))
    return 0  # pragma: no cover - execve does not return


def app_names() -> list[str]:
    """The apps ``serve`` serves (their notebooks' file names), for ``--preheat-app``."""
    from kit.core.paths import notebooks_dir

    folder = notebooks_dir()
    return sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []


def preheat_sizes(values: list[str]) -> dict[str, int] | str:
    """``--preheat-app`` values (``klassifiser=30``, ``03_klassifiser=30`` or
    ``03_klassifiser.ipynb=30``) as {notebook file name: kernels}; the first value that names
    no app or no number of kernels, as given, when there is one."""
    names = app_names()
    sizes: dict[str, int] = {}
    for value in values:
        app, sep, count = value.partition("=")
        wanted = app.strip().lower().removesuffix(".ipynb")
        found = [
            name
            for name in names
            if wanted and wanted in (name.lower().removesuffix(".ipynb"), _app_word(name))
        ]
        if not sep or len(found) != 1 or not count.strip().isdigit():
            return value
        sizes[found[0]] = int(count)
    return sizes


def _app_word(name: str) -> str:
    """``03_klassifiser.ipynb`` -> ``klassifiser``."""
    stem = name.lower().removesuffix(".ipynb")
    number, sep, rest = stem.partition("_")
    return rest if sep and number.isdigit() else stem


def _check_store(url: str | None, lang: str) -> str | None:
    """Open the live store once before serving: a bad ``--db`` is one clear line, not a
    server whose "Start" and "Join" buttons silently do nothing."""
    from kit.live.store import Store, StoreError

    try:
        with Store(url) as store:
            store.check_writable()
    except StoreError as exc:
        return t("cli_db_failed", lang, reason=_store_problem(exc, lang))
    return None


def _store_problem(exc: Exception, lang: str) -> str:
    """A store's refusal in the user's words; for a PostgreSQL address without psycopg, with
    the command that installs it."""
    from kit.live.store import DriverMissing

    reason = t("live_err_" + exc.key, lang)  # type: ignore[attr-defined]
    if isinstance(exc, DriverMissing):
        reason += " " + t("cli_postgres_install", lang, install=postgres_install_command())
    return reason


def postgres_install_command() -> str:
    """The command that adds PostgreSQL support to this installation: an editable install of a
    clone (``./run``, ``pip install -e``) gets the extra of its own folder, with the Python it
    runs on; an installed kit, ``pip install 'samskaping-kit[postgres]'``."""
    root = Path(__file__).resolve().parents[2]
    if (root / "pyproject.toml").is_file() and (root / "kit").is_dir():
        target = shlex.quote(f"{root}[postgres]")
        return f"{shlex.quote(sys.executable)} -m pip install -e {target}"
    return "pip install 'samskaping-kit[postgres]'"


def _read_case_source(args: argparse.Namespace, lang: str, usage_key: str) -> CaseReport | int:
    """The cases of ``FILE`` or ``--library`` (``check-cases``, ``export``), or the exit status
    once it has said what is wrong: 2 for neither or both (the line of ``usage_key``), 1 for a
    file with problems (one line each on stdout, the count on stderr)."""
    if args.library == bool(args.file):
        print(t(usage_key, lang, command=_command()), file=sys.stderr)
        return 2
    report = read_library(lang=lang) if args.library else read_in_library(args.file, lang)
    if not report.ok:
        for line in report.lines(lang):
            print(line)
        print(t("cases_summary", lang, n=len(report.problems), command=_command()), file=sys.stderr)
        return 1
    return report


def _cmd_check_cases(args: argparse.Namespace, lang: str) -> int:
    """Every problem on its own line (stdout), the count on stderr; exit 1 if any.

    A file of the built-in library is checked against the other library files too (ids unique
    across them, pairs into them); ``--library`` checks the whole library and counts its cases.
    """
    report = _read_case_source(args, lang, "cases_cli_file_or_library")
    if isinstance(report, int):
        return report
    tiers = _tier_counts(report.cases, lang)
    if args.library:
        print(
            t("cases_library_ok", lang, n=len(report.cases), files=len(report.files), tiers=tiers)
        )
        for line in _library_lines(report, lang):
            print(line)
    else:
        key = "cases_ok_one" if len(report.cases) == 1 else "cases_ok"
        print(t(key, lang, n=len(report.cases), tiers=tiers))
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
            counts=_counted([(process_label(p, lang), processes[p]) for p in PROCESSES]),
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


def _write_file(path: Path, data: bytes, lang: str, failed_key: str) -> bool:
    """Write ``data`` to ``path``; if that fails, say why (the line of ``failed_key``)."""
    try:
        path.write_bytes(data)
    except OSError as exc:
        reason = exc.strerror or exc
        print(t(failed_key, lang, path=path, reason=reason), file=sys.stderr)
        return False
    return True


def _cmd_export(args: argparse.Namespace, lang: str) -> int:
    """The cases of the library or a file, filtered, in an LMS format: one file, or for H5P in
    several languages one per language (``NAME-nb.h5p``, ...). Problems in the file are listed
    as ``check-cases`` lists them (exit 1); a filter that finds nothing says what it lacked."""
    report = _read_case_source(args, lang, "lms_cli_file_or_library")
    if isinstance(report, int):
        return report
    cases, unknown = filter_cases(report.cases, args.tier, args.domain, args.ids)
    domains = ", ".join(sorted({c.domain for c in report.cases if c.domain}))
    for kind, value in unknown:
        print(t(f"lms_cli_unknown_{kind}", lang, value=value, choices=domains), file=sys.stderr)
    if unknown or not cases:
        if not unknown:
            print(t("lms_cli_none", lang), file=sys.stderr)
        return 2
    langs = export_languages(getattr(args, "lang", None) or lang)
    spec = FORMATS[args.format]
    target = Path(args.output or "samskaping-kit" + spec.suffix)
    stem = str(target.with_suffix("")) if target.suffix else str(target)
    files = [(Path(name), data) for name, data in export_files(cases, args.format, langs, stem)]
    if len(files) == 1:
        files = [(target, files[0][1])]
    for path, _ in files:
        if path.exists() and not args.force:
            print(t("lms_cli_exists", lang, path=path), file=sys.stderr)
            return 2
    per_file = len(cases) * (1 if len(files) > 1 else len(langs))
    for path, data in files:
        if not _write_file(path, data, lang, "lms_cli_write_failed"):
            return 1
        shown = path.stem.rsplit("-", 1)[-1] if len(files) > 1 else ", ".join(langs)
        print(t("lms_cli_written", lang, path=path, n=per_file, langs=shown))
    return 0


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
    print(t("cases_template_written", lang, path=path, command=_command()))
    return 0


def _cmd_purge(args: argparse.Namespace, lang: str) -> int:
    """Delete live sessions and workshops older than --days (all their answers with them)."""
    from datetime import timedelta

    from kit.live.store import Store, StoreError

    if args.days < 0:
        print(t("cli_days_invalid", lang), file=sys.stderr)
        return 2
    try:
        with Store(args.db) as store:
            gone, workshops = store.purge_counts(timedelta(days=args.days))
    except StoreError as exc:
        print(_store_problem(exc, lang), file=sys.stderr)
        return 1
    print(t("cli_purged", lang, n=gone, days=args.days))
    print(t("workshop_cli_purged", lang, n=workshops, days=args.days))
    return 0


def _cmd_workshop_example(args: argparse.Namespace, lang: str) -> int:
    """The sample workshop's draft agreement, in the command's language, as .docx, .html or .md
    by the file's suffix."""
    from kit.core.yamlio import ContentError
    from kit.workshop.agreement import draft_agreement, to_html, to_markdown
    from kit.workshop.docx_export import to_docx
    from kit.workshop.example import example_workshop

    path = Path(args.file)
    suffix = path.suffix.lower()
    if suffix not in (".docx", ".html", ".md"):
        print(t("workshop_cli_bad_type", lang, ext=path.suffix or path.name), file=sys.stderr)
        return 2
    if path.exists() and not args.force:
        print(t("workshop_cli_exists", lang, path=path), file=sys.stderr)
        return 2
    try:
        agreement = draft_agreement(example_workshop(lang))
    except ContentError as exc:
        print(t("workshop_cli_broken", lang, reason=exc), file=sys.stderr)
        return 1
    if suffix == ".docx":
        data = to_docx(agreement)
    elif suffix == ".html":
        data = to_html(agreement).encode("utf-8")
    else:
        data = to_markdown(agreement).encode("utf-8")
    if not _write_file(path, data, lang, "workshop_cli_write_failed"):
        return 1
    print(t("workshop_cli_written", lang, path=path))
    return 0


#: The exit status of a command whose reader went away (``... | head``), as a shell reports a
#: program ended by SIGPIPE (128 + 13).
BROKEN_PIPE_STATUS = 141


def _option_or_setting(setting: config.Setting, value: str | None) -> Any:
    """The value of ``setting``'s option if it was given (it wins), else of the setting
    itself (its variable, else its default); ConfigError for a value that cannot be used."""
    if value is not None:
        return setting.read(value, name=setting.option)
    return setting.get()


def _given(args: argparse.Namespace, option: str | None) -> bool:
    """True if ``option`` was given on this command line (it wins over its setting)."""
    if option is None:
        return False
    return getattr(args, option.lstrip("-").replace("-", "_"), None) is not None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    try:
        return _main(sys.argv[1:] if argv is None else argv)
    except BrokenPipeError:
        # The reader stopped early (`samskaping check-cases --library | head`): stop quietly.
        # Python would try to flush stdout again at exit and complain, so point it at devnull.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return BROKEN_PIPE_STATUS


def _main(argv: list[str]) -> int:
    lang = cli_lang(argv)
    args = _parser(lang).parse_args(argv)
    problems = [p for p in config.problems() if not _given(args, p.setting.option)]
    if problems:
        for problem in problems:
            print(setting_message(problem, lang), file=sys.stderr)
        return 2
    if args.command == "serve":
        return _cmd_serve(args, lang)
    if args.command == "check-cases":
        return _cmd_check_cases(args, lang)
    if args.command == "template":
        return _cmd_template(args, lang)
    if args.command == "export":
        return _cmd_export(args, lang)
    if args.command == "purge-answers":
        return _cmd_purge(args, lang)
    if args.command == "verksted":
        return _cmd_workshop_example(args, lang)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

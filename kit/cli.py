"""The ``samskaping`` command: ``samskaping serve`` starts the apps."""

from __future__ import annotations

import argparse
import os
import sys

from . import serve as _serve
from .i18n import normalize_lang, t


def _parser(lang: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="samskaping", description=t("cli_description", lang))
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve = sub.add_parser(
        "serve", help=t("cli_serve_help", lang), description=t("cli_serve_help", lang)
    )
    serve.add_argument(
        "--port", type=int, default=_serve.DEFAULT_PORT, help=t("cli_port_help", lang)
    )
    serve.add_argument("--no-browser", action="store_true", help=t("cli_no_browser_help", lang))
    return parser


def _cmd_serve(args: argparse.Namespace, lang: str) -> int:
    if not 0 < args.port < 65536:
        print(t("cli_port_invalid", lang, port=args.port), file=sys.stderr)
        return 2
    if not _serve.port_is_free(args.port):
        print(t("cli_port_taken", lang, port=args.port), file=sys.stderr)
        return 2
    argv = _serve.voila_argv(args.port, open_browser=not args.no_browser)
    print(t("cli_serving", lang, url=_serve.app_url(args.port)), flush=True)
    os.execve(argv[0], argv, _serve.voila_env())
    return 0  # pragma: no cover - execve does not return


def main(argv: list[str] | None = None) -> int:
    """Entry point of the console script."""
    lang = normalize_lang(os.environ.get("KIT_LANG"))
    args = _parser(lang).parse_args(argv)
    if args.command == "serve":
        return _cmd_serve(args, lang)
    return 2  # pragma: no cover - argparse rejects unknown commands


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

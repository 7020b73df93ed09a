"""The `lykta` command line: parse arguments, then call into app, knowledge or db."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from bot import __version__
from bot.cli_cases import cases_app, keys_app, staff_app, templates_app
from bot.cli_directory import directory_app
from bot.cli_knowledge import ask_command, match_command
from bot.cli_materials import materials_app, news_app

if TYPE_CHECKING:
    from bot.config import Settings

app = typer.Typer(help="Lykta: a multilingual help bot for families of foreign prisoners and ex-prisoners.",
                  no_args_is_help=True, add_completion=False)
kb_app = typer.Typer(help="The knowledge base.", no_args_is_help=True)
db_app = typer.Typer(help="The database.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")
app.add_typer(directory_app, name="directory")
app.add_typer(db_app, name="db")
app.add_typer(staff_app, name="staff")
app.add_typer(cases_app, name="cases")
app.add_typer(templates_app, name="templates")
app.add_typer(keys_app, name="keys")
app.add_typer(materials_app, name="materials")
app.add_typer(news_app, name="news")


def _settings() -> "Settings":
    """Load the settings and the encryption keys; a wrong value ends the command with one line."""
    from bot.config import SettingsError, data_keys, load_settings
    from db import crypto

    try:
        settings = load_settings()
        crypto.configure(data_keys(settings))
        return settings
    except SettingsError as exc:
        typer.echo(f"lykta: {exc}", err=True)
        raise typer.Exit(2) from None


def _migrate(url: str) -> None:
    from db.migrate import upgrade

    try:
        upgrade(url)
    except Exception as exc:  # noqa: BLE001 - one clear line instead of a traceback
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        typer.echo(f"lykta: cannot migrate the database (LYKTA_DATABASE_URL): {type(exc).__name__}: {reason}",
                   err=True)
        raise typer.Exit(2) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lykta {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")) -> None:
    """Lykta's command line."""


@app.command()
def run() -> None:
    """Migrate the database and start the bot: web chat, and Telegram when a token is set."""
    import asyncio

    from bot.app import run as run_app
    from bot.logs import setup_logging
    from knowledge import ContentError

    settings = _settings()
    setup_logging(settings.log_level, settings.log_json)
    _migrate(settings.database_url)
    try:
        asyncio.run(run_app(settings, kb_partial=settings.kb_partial))
    except ContentError as exc:
        typer.echo(f"lykta: the knowledge base has {len(exc.problems)} problem(s); run `lykta kb validate`", err=True)
        raise typer.Exit(2) from None
    except OSError as exc:
        typer.echo(f"lykta: cannot start: {exc.strerror or exc} (check LYKTA_WEB_HOST/LYKTA_WEB_PORT)", err=True)
        raise typer.Exit(2) from None
    except KeyboardInterrupt:
        pass


app.command("match")(match_command)
app.command("ask")(ask_command)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply the migrations to LYKTA_DATABASE_URL."""
    settings = _settings()
    _migrate(settings.database_url)
    typer.echo("database is up to date")


@kb_app.command("coverage")
def kb_coverage() -> None:
    """A table topic × language: present (machine-drafted or reviewed), stale, or missing; fails on a missing one."""
    from rich.console import Console
    from rich.table import Table

    from knowledge import load_knowledge_base
    from knowledge.coverage import DRAFTED, MISSING, REVIEWED, STALE, coverage

    table_data = coverage(load_knowledge_base())
    langs = list(next(iter(table_data.values())).keys())
    marks = {REVIEWED: "✓", DRAFTED: "m", STALE: "S", MISSING: "—"}
    table = Table("topic", *langs, title="✓ reviewed · m machine-drafted · S stale (source changed since review) "
                                          "· — missing")
    for topic, row in sorted(table_data.items()):
        table.add_row(topic, *(marks[row[lang]] for lang in langs))
    Console(width=200).print(table)
    totals = {state: sum(1 for row in table_data.values() for v in row.values() if v == state)
              for state in (REVIEWED, DRAFTED, STALE, MISSING)}
    typer.echo("  ".join(f"{k}: {v}" for k, v in totals.items()))
    if totals[MISSING]:
        raise typer.Exit(1)


@kb_app.command("validate")
def kb_validate(content: Optional[Path] = typer.Option(None, help="Content folder (default: the shipped one)."),
                directory_file: Optional[Path] = typer.Option(
                    None, "--directory-file", help="Local directory entries to check too "
                                                   "(default: LYKTA_DIRECTORY_FILE or data/directory.local.yaml).")
                ) -> None:
    """Check every content file and the directory; print file:line: reason for each problem and fail if there is one."""
    from knowledge import check_content
    from knowledge.directory import check_directory

    from knowledge import check_guides
    from knowledge.materials import load_catalogue

    kb, problems, warnings = check_content(content)
    guides, guide_problems, guide_warnings = check_guides(content)
    problems, warnings = [*problems, *guide_problems], [*warnings, *guide_warnings]
    if kb is not None:
        try:
            from bot.config import load_settings as _load

            materials_path = _load().materials_path
        except Exception:  # noqa: BLE001 - settings problems are reported below for the directory
            materials_path = None
        _catalogue, material_problems = load_catalogue(materials_path, known_topics=set(kb.topics))
        problems = [*problems, *material_problems]
    if directory_file is None:
        from bot.config import SettingsError, load_settings

        try:
            directory_file = load_settings().directory_path
        except SettingsError as exc:
            warnings = [*warnings, f"the local directory file is not checked: {exc}"]  # type: ignore[list-item]
    directory, directory_problems = check_directory(content, directory_file)
    problems = [*problems, *directory_problems]
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    for p in problems:
        typer.echo(str(p), err=True)
    if problems or kb is None or directory is None or guides is None:
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    local = f" ({len(directory.local_ids)} local, from {directory_file})" if directory.local_ids else ""
    typer.echo(f"ok: {len(kb.topics)} topics, {len(guides.topics)} staff guides, languages {', '.join(sorted(kb.languages))}, {len(kb.sources)} sources"
               f"; directory: {len(directory)} organisations{local}")

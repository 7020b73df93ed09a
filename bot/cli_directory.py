"""`lykta directory ...`: an NGO keeps its own directory entries up to date (registered in bot/cli.py).

    lykta directory export --format csv -o entries.csv     # everything the bot shows, as a spreadsheet
    lykta directory import entries.csv                     # validated; nothing is written if a row is bad
    lykta directory import entries.csv --skip-bad          # the good rows; the bad ones are listed
    lykta directory search FI --need housing --lang ru     # what /help_near_me would list, in order

Imports go to the local overrides file (LYKTA_DIRECTORY_FILE, default data/directory.local.yaml), which
the bot loads on top of the shipped entries; knowledge/content/ is never written.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

directory_app = typer.Typer(help="The directory of organisations behind /help_near_me.", no_args_is_help=True)


def _local_path(file: Path | None) -> Path:
    """The overrides file: --file, else the setting LYKTA_DIRECTORY_FILE (default data/directory.local.yaml)."""
    if file is not None:
        return file
    from bot.cli import _settings  # one place turns a bad setting into one clear line

    return _settings().directory_path


def _fail(lines: list[str], code: int = 1) -> None:
    for line in lines:
        typer.echo(line, err=True)
    raise typer.Exit(code)


LOCAL_FILE = typer.Option(None, "--file", help="The local overrides file (default: LYKTA_DIRECTORY_FILE or "
                                                 "data/directory.local.yaml).")


SOURCE = typer.Argument(..., help="A .csv (UTF-8) or .yaml file; docs/directory.md lists the columns.")
OUTPUT = typer.Option(None, "--output", "-o", help="Write to this file (default: the screen).")


@directory_app.command("import")
def import_command(
    source: Path = SOURCE,
    skip_bad: bool = typer.Option(False, "--skip-bad", help="Import the good rows and list the bad ones."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only validate and report; write nothing."),
    file: Path | None = LOCAL_FILE,
) -> None:
    """Validate every row; write the entries to the local overrides file (nothing at all if a row is bad)."""
    from knowledge import ContentError
    from knowledge.directory import (
        ImportFileError,
        load_directory,
        load_local,
        merge_local,
        read_import,
        write_local,
    )

    local_path = _local_path(file)
    try:
        result = read_import(source)
    except ImportFileError as exc:
        _fail([f"lykta: {exc}", "nothing imported"], 1)
    try:
        shipped = {o.id: o for o in load_directory().organisations}
        local = load_local(local_path)
    except ContentError as exc:
        _fail(["lykta: cannot import: the directory has problems (fix them first, see `lykta kb validate`):",
               *(f"  {p}" for p in exc.problems)], 2)

    for bad in result.bad:
        typer.echo(f"{source}: {bad}", err=True)
    if result.bad and not skip_bad:
        _fail([f"{len(result.bad)} bad row(s); nothing imported"
               + (f" (use --skip-bad to import the {len(result.good)} good row(s))" if result.good else "")], 1)
    if not result.good:
        _fail(["no good rows; nothing imported"], 1)

    outcome = merge_local(shipped, local, [org for _row, org in result.good])
    if not dry_run:
        try:
            write_local(local_path, outcome.local)
        except OSError as exc:
            _fail([f"lykta: cannot write {local_path}: {exc.strerror or exc}"], 2)
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{verb} {len(result.good)} row(s) into {local_path}: {len(outcome.added)} new, "
               f"{len(outcome.updated)} updating shipped entries, {len(outcome.replaced)} replacing local entries, "
               f"{len(outcome.unchanged)} unchanged (same as shipped, not stored)")
    if result.bad:
        typer.echo(f"skipped {len(result.bad)} bad row(s): "
                   + ", ".join(f"row {b.row}" + (f" [{b.id}]" if b.id else "") for b in result.bad))
    if not dry_run:
        typer.echo("restart the bot to show the new entries")


@directory_app.command("export")
def export_command(
    fmt: str = typer.Option("csv", "--format", help="csv or yaml."),
    output: Path | None = OUTPUT,
    local_only: bool = typer.Option(False, "--local-only", help="Only the local entries (the overrides file)."),
    jurisdiction: str | None = typer.Option(None, "--jurisdiction", "-j", help="Only entries serving FI, SE, ..."),
    file: Path | None = LOCAL_FILE,
) -> None:
    """Write the entries the bot shows (shipped and local) as CSV or YAML, ready to edit and import again."""
    from knowledge import ContentError
    from knowledge.directory import export_csv, export_yaml, load_directory

    if fmt not in ("csv", "yaml"):
        _fail(["lykta: --format is csv or yaml"], 2)
    try:
        directory = load_directory(overrides=_local_path(file))
    except ContentError as exc:
        _fail(["lykta: the directory has problems (see `lykta kb validate`):", *(f"  {p}" for p in exc.problems)], 2)
    orgs = [o for o in directory.organisations if (not local_only or o.id in directory.local_ids)
            and (jurisdiction is None or jurisdiction.upper() in o.jurisdictions)]
    text = export_csv(orgs) if fmt == "csv" else export_yaml(orgs)
    if output is None:
        sys.stdout.write(text)
        return
    # a file gets a byte-order mark when it is CSV, so spreadsheet programs read it as UTF-8
    output.write_text(text, encoding="utf-8-sig" if fmt == "csv" else "utf-8")
    typer.echo(f"exported {len(orgs)} organisation(s) to {output}", err=True)


@directory_app.command("search")
def search_command(
    jurisdiction: str = typer.Argument(..., help="FI, SE, NO, DK, IS, RU-SPE or RU-KR."),
    need: str | None = typer.Option(None, "--need", help="A kind of help: housing, legal, visits, ..."),
    lang: str | None = typer.Option(None, "--lang", help="The user's language (ranks those who speak it first)."),
    city: str | None = typer.Option(None, "--city"),
    audience: str | None = typer.Option(None, "--audience", help="prisoners, ex_prisoners, families or children."),
    file: Path | None = LOCAL_FILE,
) -> None:
    """Print the organisations /help_near_me would list, best first."""
    from rich.console import Console
    from rich.table import Table

    from knowledge import ContentError
    from knowledge.directory import load_directory, search

    try:
        directory = load_directory(overrides=_local_path(file))
    except ContentError as exc:
        _fail(["lykta: the directory has problems (see `lykta kb validate`):", *(f"  {p}" for p in exc.problems)], 2)
    from knowledge.directory import Audience, Service
    from knowledge.schema import JURISDICTIONS

    if jurisdiction.upper() not in JURISDICTIONS:
        _fail([f"lykta: unknown jurisdiction {jurisdiction!r} (use {', '.join(JURISDICTIONS)})"], 2)
    if need is not None and need not in Service.__members__:
        _fail([f"lykta: unknown kind of help {need!r} (use {', '.join(s.value for s in Service)})"], 2)
    if audience is not None and audience not in Audience.__members__:
        _fail([f"lykta: unknown audience {audience!r} (use {', '.join(a.value for a in Audience)})"], 2)
    table = Table("#", "id", "kind", "languages", "cities", "website")
    found = search(directory, jurisdiction.upper(), city=city, need=need, language=lang, audience=audience)
    for n, org in enumerate(found, 1):
        table.add_row(str(n), org.id, org.kind.value, " ".join(org.languages), ", ".join(org.cities) or "-",
                      str(org.website or "-"))
    Console().print(table)
    if not found:
        typer.echo("no organisation matches", err=True)

"""`lykta staff ...`, `lykta cases ...` and `lykta templates ...`: the staff side from the command line."""

from __future__ import annotations

import asyncio
import csv
import sys
from collections.abc import Awaitable, Callable
from typing import Any, Optional, TypeVar

import typer
from rich.console import Console
from rich.table import Table

staff_app = typer.Typer(help="NGO workers allowed to act on cases (besides members of the staff group).",
                        no_args_is_help=True)
cases_app = typer.Typer(help="Cases handed to staff.", no_args_is_help=True)
templates_app = typer.Typer(help="Canned replies staff send with /t NAME.", no_args_is_help=True)
keys_app = typer.Typer(help="The key that encrypts message contents at rest.", no_args_is_help=True)
T = TypeVar("T")


def _with_repos(work: Callable[[Any], Awaitable[T]]) -> T:
    from bot.cli import _migrate, _settings
    from db import Repos, create_engine, create_sessionmaker

    settings = _settings()
    _migrate(settings.database_url)

    async def main() -> T:
        engine = create_engine(settings.database_url)
        try:
            async with create_sessionmaker(engine)() as session:
                result = await work(Repos(session))
                await session.commit()
                return result
        finally:
            await engine.dispose()

    return asyncio.run(main())


@staff_app.command("add")
def staff_add(telegram_id: int, name: str, languages: str = typer.Option("", help="Space- or comma-separated codes"),
              organisation: str = typer.Option("default")) -> None:
    """Allow a Telegram user to act on cases, and record the languages they speak."""
    langs = languages.replace(",", " ").split()

    async def work(repos: Any) -> None:
        await repos.staff.add(telegram_id, name, langs, organisation)

    _with_repos(work)
    typer.echo(f"staff member {telegram_id} ({name}) added; languages: {' '.join(langs) or '-'}")


@staff_app.command("remove")
def staff_remove(telegram_id: int) -> None:
    async def work(repos: Any) -> bool:
        return await repos.staff.remove(telegram_id)

    if not _with_repos(work):
        typer.echo(f"no staff member {telegram_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"staff member {telegram_id} removed")


@staff_app.command("list")
def staff_list() -> None:
    async def work(repos: Any) -> list:
        return await repos.staff.all()

    table = Table("telegram id", "name", "organisation", "languages", "on duty")
    for m in _with_repos(work):
        table.add_row(str(m.telegram_id), m.name, m.organisation, m.languages or "-", "yes" if m.on_duty else "no")
    Console().print(table)


@cases_app.command("list")
def cases_list(status: Optional[str] = typer.Option(None, help="open, claimed or closed")) -> None:
    """Cases with their pseudonyms (never names or message texts)."""
    async def work(repos: Any) -> list:
        return await repos.cases.all(status)

    table = Table("case", "status", "urgent", "language", "country", "topic", "pseudonym", "handled by", "opened")
    for c in _with_repos(work):
        table.add_row(f"#{c.id}", c.status, "yes" if c.urgent else "", c.language, c.jurisdiction or "-",
                      c.topic or "-", c.pseudonym, c.claimed_name or "-", c.created_at.strftime("%Y-%m-%d %H:%M"))
    Console().print(table)


@cases_app.command("show")
def cases_show(case_id: int) -> None:
    async def work(repos: Any) -> tuple:
        case = await repos.cases.get(case_id)
        messages = await repos.case_messages.for_case(case_id) if case else []
        return case, messages

    case, messages = _with_repos(work)
    if case is None:
        typer.echo(f"no case #{case_id}", err=True)
        raise typer.Exit(1)
    typer.echo(f"case #{case.id}  status {case.status}  urgent {case.urgent}  crisis {case.crisis}")
    typer.echo(f"pseudonym {case.pseudonym}  language {case.language}  country {case.jurisdiction or '-'}  "
               f"topic {case.topic or '-'}")
    typer.echo(f"handled by {case.claimed_name or '-'}  opened {case.created_at:%Y-%m-%d %H:%M}  "
               f"first reply {case.first_reply_at or '-'}  closed {case.closed_at or '-'}  feedback {case.feedback or '-'}")
    typer.echo(f"earlier case {('#' + str(case.previous_id)) if case.previous_id else '-'}")
    counts: dict[str, int] = {}
    for m in messages:
        counts[m.direction] = counts.get(m.direction, 0) + 1
    typer.echo("messages: " + (", ".join(f"{k} {v}" for k, v in sorted(counts.items())) or "none"))


@cases_app.command("export")
def cases_export() -> None:
    """All cases as CSV on standard output, pseudonymised: no names, chat ids or message texts."""
    async def work(repos: Any) -> list:
        return await repos.cases.all()

    writer = csv.writer(sys.stdout)
    writer.writerow(["case", "previous", "organisation", "status", "urgent", "crisis", "language", "country", "topic",
                     "pseudonym", "opened", "first_reply", "closed", "feedback"])
    for c in _with_repos(work):
        writer.writerow([c.id, c.previous_id or "", c.organisation, c.status, int(c.urgent), int(c.crisis), c.language,
                         c.jurisdiction or "", c.topic or "", c.pseudonym, c.created_at.isoformat(),
                         c.first_reply_at.isoformat() if c.first_reply_at else "",
                         c.closed_at.isoformat() if c.closed_at else "", c.feedback or ""])


@templates_app.command("list")
def templates_list() -> None:
    from bot.organisations import load_templates
    from bot.cli import _settings

    settings = _settings()
    templates = load_templates(settings.templates_file)
    if not templates:
        typer.echo(f"no templates in {settings.templates_file}")
        return
    table = Table("name", "languages", "English text")
    for name, texts in sorted(templates.items()):
        table.add_row(name, " ".join(sorted(texts)), (texts.get("en") or "")[:70])
    Console().print(table)


@keys_app.command("new")
def keys_new() -> None:
    """Print a new key. To rotate: set LYKTA_DATA_KEY="NEW,OLD", run `lykta keys rotate`, then drop OLD."""
    from db.crypto import new_key

    typer.echo(new_key())


@keys_app.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored content with the newest key of LYKTA_DATA_KEY."""
    from sqlalchemy import Integer, Text, column, select, table, update

    from db.crypto import rotate

    async def work(repos: Any) -> int:
        count = 0
        for name, field in (("unanswered_texts", "text"), ("cases", "summary"), ("outbox", "payload")):
            raw = table(name, column("id", Integer), column(field, Text))  # plain text: no decryption on read
            for row_id, value in (await repos.session.execute(select(raw.c.id, raw.c[field]))).all():
                if value is not None:
                    await repos.session.execute(update(raw).where(raw.c.id == row_id).values({field: rotate(value)}))
                    count += 1
        return count

    typer.echo(f"re-encrypted {_with_repos(work)} values with the newest key")

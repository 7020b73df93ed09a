"""`lykta materials ...` and `lykta news ...` (registered in bot/cli.py).

    lykta materials add --id leaflet-visits-fi --title "..." --summary "..." --lang fi --lang ru \\
        --audience families --date 2026-11-01 --file leaflet.pdf        # or --url https://...
    lykta materials list
    lykta materials remove leaflet-visits-fi
    lykta news send news.html --lang ru --country FI [--dry-run]

Materials go to the local file (LYKTA_MATERIALS_FILE, default data/materials.local.yaml), loaded on top
of the shipped catalogue; knowledge/content/ is never written. News goes through the outbox.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

import typer

materials_app = typer.Typer(help="The catalogue of publications behind /materials.", no_args_is_help=True)
news_app = typer.Typer(help="Opt-in news to subscribers (/news).", no_args_is_help=True)


def _materials_path(file: Path | None) -> Path:
    if file is not None:
        return file
    from bot.cli import _settings  # one place turns a bad setting into one clear line

    return _settings().materials_path


LOCAL_FILE = typer.Option(None, "--file-path", help="The local materials file (default: LYKTA_MATERIALS_FILE or "
                                                    "data/materials.local.yaml).")


@materials_app.command("add")
def materials_add(
    id: str = typer.Option(..., "--id", help="A short id: lowercase letters, digits, . _ -"),
    title: str = typer.Option(..., "--title"),
    summary: str = typer.Option(..., "--summary"),
    lang: list[str] = typer.Option(..., "--lang", help="A language of the publication (repeat for several)"),  # noqa: B008
    audience: list[str] = typer.Option(..., "--audience", help="families, ex_prisoners or staff (repeatable)"),  # noqa: B008
    date: str = typer.Option(..., "--date", help="Publication date, YYYY-MM-DD"),
    jurisdiction: list[str] = typer.Option([], "--jurisdiction", help="FI SE NO DK IS RU-SPE RU-KR (repeatable; "  # noqa: B008
                                                                      "none: all)"),
    url: str | None = typer.Option(None, "--url", help="Where it is published"),
    file: Path | None = typer.Option(None, "--file", help="A file shipped with the data (at most 50 MB)"),  # noqa: B008
    topic: list[str] = typer.Option([], "--topic", help="A public topic it goes with (repeatable)"),  # noqa: B008
    local: Path | None = LOCAL_FILE,
) -> None:
    """Add (or replace) one publication in the local catalogue; a dead path or a file over 50 MB is refused."""
    from pydantic import ValidationError

    from knowledge import load_knowledge_base
    from knowledge.materials import Material, MaterialError, check_file, read_entries, write_local

    path = _materials_path(local)
    if file is not None:
        try:
            check_file(file)
        except MaterialError as exc:
            typer.echo(f"lykta: {exc}", err=True)
            raise typer.Exit(1) from None
    raw: dict[str, Any] = {"id": id, "title": title, "summary": summary, "languages": lang,
                           "jurisdictions": jurisdiction, "audience": audience, "date": date, "topics": topic}
    if url is not None:
        raw["url"] = url
    if file is not None:
        raw["file"] = str(file.resolve())
    try:
        material = Material.model_validate(raw)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "entry"
            typer.echo(f"lykta: {where}: {err['msg']}", err=True)
        raise typer.Exit(1) from None
    unknown = [t for t in material.topics if t not in load_knowledge_base().topics]
    if unknown:
        typer.echo(f"lykta: unknown topic(s): {', '.join(unknown)}", err=True)
        raise typer.Exit(1)
    entries, problems = read_entries(path)
    if problems:
        typer.echo(f"lykta: {path} has problems; fix them first:", err=True)
        for p in problems:
            typer.echo(f"  {p}", err=True)
        raise typer.Exit(2)
    entries = [m for m in entries if m.id != material.id] + [material]
    write_local(path, entries)
    typer.echo(f"material {material.id} added to {path}")


@materials_app.command("list")
def materials_list(local: Path | None = LOCAL_FILE) -> None:
    """Every publication the bot offers: shipped and local."""
    from knowledge.materials import load_catalogue

    catalogue, problems = load_catalogue(_materials_path(local))
    for p in problems:
        typer.echo(f"warning: {p}", err=True)
    for m in sorted(catalogue.materials, key=lambda m: m.id):
        origin = "local" if m.id in catalogue.local_ids else "shipped"
        target = str(m.url) if m.url is not None else m.file
        typer.echo(f"{m.id}\t{m.date}\t{','.join(m.languages)}\t{','.join(a.value for a in m.audience)}\t{origin}\t"
                   f"{m.title}\t{target}")
    typer.echo(f"{len(catalogue)} material(s)")


@materials_app.command("remove")
def materials_remove(material_id: str, local: Path | None = LOCAL_FILE) -> None:
    """Remove a publication from the local catalogue (shipped ones are changed in knowledge/content/)."""
    from knowledge.materials import read_entries, write_local

    path = _materials_path(local)
    entries, _problems = read_entries(path)
    kept = [m for m in entries if m.id != material_id]
    if len(kept) == len(entries):
        typer.echo(f"lykta: no local material {material_id!r} in {path}", err=True)
        raise typer.Exit(1)
    write_local(path, kept)
    typer.echo(f"material {material_id} removed")


@news_app.command("send")
def news_send(
    source: Path = typer.Argument(..., help="The news text (Telegram HTML: <b>, <i>, <a href>), at most ~4,000 "  # noqa: B008
                                             "characters"),
    lang: str = typer.Option(..., "--lang", help="Subscribers of this language"),
    country: str = typer.Option(..., "--country", help="…and of this country: FI SE NO DK IS RU-SPE RU-KR"),
    news_id: str | None = typer.Option(None, "--id", help="The news id (default: from the text); the same id "
                                                              "is never sent to a person twice"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say how many people would receive it"),
) -> None:
    """Queue one news message per subscriber; the outbox sends them, paced. Re-running is safe."""
    from bot.cli_cases import _with_repos
    from handlers.news import NEWS_COUNTRIES
    from knowledge.loader import html_errors

    if country not in NEWS_COUNTRIES:
        typer.echo(f"lykta: --country must be one of {' '.join(NEWS_COUNTRIES)}", err=True)
        raise typer.Exit(2)
    try:
        text = source.read_text(encoding="utf-8").strip()
    except OSError as exc:
        typer.echo(f"lykta: cannot read {source}: {exc.strerror or exc}", err=True)
        raise typer.Exit(2) from None
    problems = html_errors(text)
    if not text or len(text) > 3900 or problems:
        typer.echo(f"lykta: {source}: " + ("; ".join(problems) or "empty or over 3,900 characters"), err=True)
        raise typer.Exit(1)
    nid = news_id or hashlib.sha256(text.encode()).hexdigest()[:12]
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", nid):
        typer.echo("lykta: --id: letters, digits, . _ - only (at most 40)", err=True)
        raise typer.Exit(2)
    markup = _stop_markup(lang)

    async def work(repos: Any) -> tuple[int, int]:
        recipients = await repos.news.recipients(lang, country)
        if dry_run:
            return len(recipients), 0
        added = 0
        for start in range(0, len(recipients), 500):  # committed in batches: a crash keeps what was queued
            added += await repos.news.enqueue(nid, recipients[start:start + 500],
                                              {"text": text, "reply_markup": markup, "news": nid})
            await repos.session.commit()
        return len(recipients), added

    total, added = _with_repos(work)
    if dry_run:
        typer.echo(f"dry run: {total} subscriber(s) ({lang}, {country}) would receive news {nid}")
        return
    typer.echo(f"news {nid}: {added} queued, {total - added} already queued before; "
               f"{total} subscriber(s) ({lang}, {country}) at {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")


def _stop_markup(lang: str) -> dict[str, Any]:
    """The one-tap unsubscribe button, in the subscribers' language."""
    from aiogram.utils.i18n import I18n

    from bot.app import LOCALES
    from handlers.news import stop_keyboard

    i18n = I18n(path=LOCALES, default_locale="en", domain="messages")
    with i18n.context(), i18n.use_locale(lang if lang in i18n.available_locales else "en"):
        return stop_keyboard().model_dump(mode="json", exclude_none=True)

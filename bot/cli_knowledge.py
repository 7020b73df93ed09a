"""`lykta match` and `lykta ask`: the matcher from the command line (registered in bot/cli.py).

    app.command("match")(match_command)
    app.command("ask")(ask_command)
"""

from __future__ import annotations

import os
import sys

import typer


def _load_matcher():
    from knowledge import Matcher, check_content, load_knowledge_base

    if os.environ.get("LYKTA_KB_PARTIAL") == "1":
        kb = check_content(partial=True)[0]
        if kb is None:
            typer.echo("the knowledge base cannot be loaded (taxonomy missing or broken)", err=True)
            raise typer.Exit(1)
    else:
        kb = load_knowledge_base()
    return kb, Matcher(kb)


def match_command(jsonl: str = typer.Option(..., "--jsonl", help="JSON Lines file of messages, or - for stdin.")) -> None:
    """Match every line of a JSON Lines file; print one JSON line per input line (see MATCHING.md)."""
    from knowledge.batch import run_batch

    _kb, matcher = _load_matcher()
    if jsonl == "-":
        stream = sys.stdin
        close = False
    else:
        try:
            stream = open(jsonl, encoding="utf-8", errors="replace")  # noqa: SIM115 - closed below
        except OSError as exc:
            typer.echo(f"cannot read {jsonl}: {exc.strerror}", err=True)
            raise typer.Exit(2)
        close = True
    try:
        out = sys.stdout
        for line in run_batch(stream, matcher):
            out.write(line + "\n")
        out.flush()
    finally:
        if close:
            stream.close()


def ask_command(
    text: str = typer.Argument(..., help="The message, as a user would write it."),
    lang: str | None = typer.Option(None, "--lang", help="The user's chosen language (en, ru, fi, ...)."),
    jurisdiction: str | None = typer.Option(None, "--jurisdiction", help="FI, SE, NO, DK, IS, RU-SPE or RU-KR."),
) -> None:
    """Match one message and print the decision and the answer the bot would show."""
    import re

    kb, matcher = _load_matcher()
    d = matcher.match(text, lang, jurisdiction)
    cands = ", ".join(f"{t} {s:.2f}" for t, s in d.candidates)
    typer.echo(f"{d.action} {d.topic or '-'} (lang {d.lang}, score {d.score:.2f}; candidates: {cands or '-'})")
    if d.topic is None or d.topic not in kb.topics:
        return
    used, tr = kb.translation(d.topic, d.lang)
    plain = lambda s: re.sub(r"<[^>]+>", "", s).replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    typer.echo("")
    typer.echo(tr.title)
    typer.echo(plain(tr.answer).strip())
    jur = (jurisdiction or "").upper()
    part = kb.topics[d.topic].jurisdictions.get(jur)
    if part is not None and part.note:
        note = part.note.get(used) or part.note.get("en") or next(iter(part.note.values()))
        typer.echo("")
        typer.echo(f"[{jur}] {plain(note).strip()}")

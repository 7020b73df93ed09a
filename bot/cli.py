"""The `lykta` command line: parse arguments, then call into app, knowledge or db."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from bot import __version__

app = typer.Typer(help="Lykta: a multilingual help bot for families of foreign prisoners and ex-prisoners.",
                  no_args_is_help=True, add_completion=False)
kb_app = typer.Typer(help="The knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"lykta {__version__}")
        raise typer.Exit()


@app.callback()
def main(version: Optional[bool] = typer.Option(None, "--version", callback=_version, is_eager=True,
                                                help="Print the version and exit.")) -> None:
    """Lykta's command line."""


@kb_app.command("validate")
def kb_validate(content: Optional[Path] = typer.Option(None, help="Content folder (default: the shipped one).")) -> None:
    """Check every content file; print file:line: reason for each problem and fail if there is one."""
    from knowledge import check_content

    kb, problems, warnings = check_content(content)
    for w in warnings:
        typer.echo(f"warning: {w}", err=True)
    for p in problems:
        typer.echo(str(p), err=True)
    if problems or kb is None:
        typer.echo(f"{len(problems)} problem(s) found", err=True)
        raise typer.Exit(1)
    typer.echo(f"ok: {len(kb.topics)} topics, languages {', '.join(sorted(kb.languages))}, {len(kb.sources)} sources")

"""A real browser for the web chat: Debian's Chromium driven by Playwright, nothing loaded from outside.

Skips only when not in CI and Chromium is missing; with CI=true a missing Chromium (or axe-core) fails.
`make browser` installs both (apt-get chromium, `npm ci` in tests/browser).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from aiohttp import web

CHROMIUM = Path(os.environ.get("LYKTA_TEST_CHROMIUM", "/usr/bin/chromium"))
HERE = Path(__file__).resolve().parent
AXE = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = HERE.parent / "artifacts"
IN_CI = os.environ.get("CI", "").lower() == "true"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if IN_CI:
        pytest.fail(f"Chromium is required in CI but {CHROMIUM} is missing (make browser installs it)")
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium, or make browser)")


def _need_axe() -> Path:
    if not AXE.exists() and shutil.which("npm"):
        subprocess.run(["npm", "ci", "--silent", "--no-audit", "--no-fund"], cwd=HERE, check=False,
                       capture_output=True, timeout=120)
    if not AXE.exists():
        pytest.fail(f"axe-core is missing: run `npm ci` in {HERE} (make browser does)")
    return AXE


def _expect_patiently() -> None:
    from playwright.async_api import expect

    expect.set_options(timeout=15_000)  # the bot answers through a real process; CI machines can be busy


@dataclass
class Browser:
    """One fresh Chromium profile; every request that leaves localhost is refused and remembered."""

    context: Any
    outside: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)

    async def new_page(self, width: int = 1024, height: int = 768) -> Any:
        page = await self.context.new_page()
        await page.set_viewport_size({"width": width, "height": height})
        page.on("console", self._console)
        page.on("pageerror", lambda err: self.page_errors.append(str(err)))
        return page

    def _console(self, message: Any) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(message.text)


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    _need_chromium()
    from playwright.async_api import async_playwright

    _expect_patiently()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        context = await pw.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=str(CHROMIUM), headless=True, args=ARGS,
            locale="en-US", service_workers="block")
        found = Browser(context)

        async def only_local(route: Any) -> None:
            url = route.request.url
            host = urlsplit(url).hostname or ""
            if url.startswith(("data:", "blob:", "about:")) or host in LOCAL_HOSTS:
                await route.continue_()
            else:
                found.outside.append(url)
                await route.abort()

        await context.route("**/*", only_local)
        try:
            yield found
        finally:
            await context.close()
    assert found.outside == [], f"the page tried to load from outside localhost: {found.outside}"


@pytest.fixture
def axe_source() -> str:
    return _need_axe().read_text(encoding="utf-8")


async def axe_check(target: Any, axe_source: str, name: str) -> list[dict[str, Any]]:
    """Run axe-core in a page or frame; write the report; return the serious and critical violations."""
    if not await target.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: allowed by the page's CSP, which refuses injected <script>s.
        await target.evaluate(axe_source + "\n;true")
    report = await target.evaluate(
        "async () => { const r = await axe.run(document, {resultTypes: ['violations']});"
        " return {url: r.url, passed: r.passes.map(p => p.id), incomplete: r.incomplete.map(i => i.id),"
        " violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}))}; }")
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    checked = report["passed"] + report["incomplete"] + [v["id"] for v in report["violations"]]
    assert "color-contrast" in checked, "axe did not check the contrast"
    return [v for v in report["violations"] if v["impact"] in ("serious", "critical")]


@dataclass
class PartnerSite:
    """A partner organisation's site on another origin (localhost vs 127.0.0.1): pages with the widget."""

    url: str
    bot_url: str = ""

    def page(self, **attrs: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in attrs.items())
        return f"{self.url}/partner?{query}"


@pytest.fixture
async def partner() -> AsyncIterator[PartnerSite]:
    site = PartnerSite(url="")

    async def partner_page(request: web.Request) -> web.Response:
        attrs = "".join(f' data-{k}="{v}"' for k, v in request.query.items()
                        if k in ("lang", "country", "position") and v.replace("-", "").isalnum())
        body = (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f'<title>Partner organisation</title>'
                f'<script src="{site.bot_url}/widget.js"{attrs} defer></script></head>'
                f'<body><main><h1>A partner organisation</h1><p>We help families of prisoners.</p>'
                f'</main></body></html>')
        return web.Response(text=body, content_type="text/html")

    async def plain(request: web.Request) -> web.Response:
        title = request.match_info["name"].capitalize()
        return web.Response(text=f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}'
                                 f'</title></head><body><main><h1>{title}</h1></main></body></html>',
                            content_type="text/html")

    app = web.Application()
    app.router.add_get("/partner", partner_page)
    app.router.add_get("/{name:[a-z]+}", plain)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    tcp = web.TCPSite(runner, "127.0.0.1", 0)
    await tcp.start()
    port = tcp._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    site.url = f"http://localhost:{port}"
    yield site
    await runner.cleanup()

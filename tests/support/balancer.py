"""A tiny round-robin load balancer for tests and benches: what nginx would do in front of several workers."""

from __future__ import annotations

import itertools

from aiohttp import ClientError, ClientSession, ClientTimeout, web


class Balancer:
    def __init__(self, backends: list[str]) -> None:
        self.backends = backends
        self._next = itertools.cycle(range(len(backends)))
        self.forwarded: dict[str, int] = {b: 0 for b in backends}
        self._runner: web.AppRunner | None = None
        self._http: ClientSession | None = None
        self.port: int | None = None

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower().startswith(("x-telegram", "content-type"))}
        assert self._http is not None
        for _ in range(len(self.backends)):
            backend = self.backends[next(self._next)]
            try:
                async with self._http.post(backend + request.path_qs, data=body, headers=headers) as resp:
                    payload = await resp.read()
                    self.forwarded[backend] += 1
                    return web.Response(status=resp.status, body=payload,
                                        content_type=resp.content_type or "application/json")
            except (ClientError, TimeoutError):
                continue  # that worker is down: try the next one
        return web.Response(status=502, text="no backend")

    async def start(self) -> int:
        self._http = ClientSession(timeout=ClientTimeout(total=30))
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self.port

    async def stop(self) -> None:
        if self._http:
            await self._http.close()
        if self._runner:
            await self._runner.cleanup()

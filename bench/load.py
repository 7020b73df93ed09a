"""Load bench: simulated people ask questions (and open cases) through the local Bot API server, against
the real bot process; a bare aiogram echo bot through the same server is the ceiling.

    .venv/bin/python bench/load.py [--chats 200] [--seconds 20] [--database sqlite|postgres]

Prints updates/s, reply latency p50/p99, the bot's peak RSS, and our throughput as a share of the echo
bot's. Both bots are measured in the same process run, against the same in-process server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.botapi.server import BotApiServer  # noqa: E402
from tests.support.harness import BOT_TOKEN, BotProcess, Person, bot_env  # noqa: E402

ECHO_TOKEN = "777777:ECHO-baseline"
QUESTIONS = [
    "how can I send money to my son in prison", "kak peredat posylku v SIZO", "miten voin vierailla vankilassa",
    "hur ringer man till fängelset", "når kan han bli prøveløslatt", "hvordan sender jeg et brev til fængslet",
    "can I visit with my children", "he needs a lawyer", "будет ли депортация после срока", "where is my brother held",
]
ECHO_BOT = '''
import asyncio, sys
from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import Message
dp = Dispatcher()
@dp.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or "?")
async def main() -> None:
    bot = Bot(sys.argv[2], session=AiohttpSession(api=TelegramAPIServer.from_base(sys.argv[1])))
    print("Web chat: http://echo/", flush=True)
    await dp.start_polling(bot, handle_signals=True)
asyncio.run(main())
'''


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def drive(server: BotApiServer, token: str, chats: int, seconds: float, first_chat: int,
                cases: bool) -> tuple[int, list[float]]:
    """Each simulated person sends a question, waits for the reply, and asks again, until time is up."""
    latencies: list[float] = []
    deadline = time.monotonic() + seconds

    async def person_loop(i: int) -> None:
        person = Person(server, chat_id=first_chat + i, token=token)
        rnd = random.Random(i)
        while time.monotonic() < deadline:
            text = rnd.choice(QUESTIONS)
            started = time.monotonic()
            person.send(text)
            try:
                await person.reply(timeout=max(0.1, deadline - time.monotonic() + 5))
            except AssertionError:
                return
            latencies.append(time.monotonic() - started)
            await person.quiet(0)  # skip any further message of the same answer

    await asyncio.gather(*(person_loop(i) for i in range(chats)))
    return len(latencies), latencies


def summary(name: str, count: int, latencies: list[float], seconds: float, rss: float) -> float:
    rate = count / seconds
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    print(f"{name:<12} {rate:8.1f} updates/s   p50 {q[49] * 1000:7.1f} ms   p99 {q[98] * 1000:7.1f} ms"
          f"   peak RSS {rss:6.1f} MiB   ({count} replies)")
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--chats", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()

    server = BotApiServer(sim=True)
    await server.start("127.0.0.1", 0)
    api = f"http://127.0.0.1:{server.port}"
    tmp = Path(tempfile.mkdtemp(prefix="lykta-bench-"))

    echo_log = tmp / "echo.log"
    echo = await asyncio.create_subprocess_exec(sys.executable, "-c", ECHO_BOT, api, ECHO_TOKEN,
                                                stdout=asyncio.subprocess.PIPE, stderr=echo_log.open("wb"))
    assert echo.stdout is not None
    await echo.stdout.readline()
    await asyncio.sleep(1.0)
    count, lat = await drive(server, ECHO_TOKEN, args.chats, args.seconds, 10_000_000, cases=False)
    echo_rate = summary("echo bot", count, lat, args.seconds, peak_rss_mib(echo.pid))
    echo.terminate()
    await echo.wait()

    if args.database == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
    else:
        url = os.environ.get("LYKTA_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
    from db.migrate import upgrade

    await asyncio.to_thread(upgrade, url)
    bot = BotProcess(bot_env(api, url, LYKTA_LOG_LEVEL="WARNING", LYKTA_RATE_LIMIT_PER_MINUTE="100000"),
                     tmp / "bot.log")
    await bot.start()
    assert bot.proc is not None
    await asyncio.sleep(1.0)
    count, lat = await drive(server, BOT_TOKEN, args.chats, args.seconds, 20_000_000, cases=False)
    ours = summary("lykta", count, lat, args.seconds, peak_rss_mib(bot.proc.pid))
    await bot.stop()
    await server.stop()
    print(f"\nlykta throughput = {ours / echo_rate * 100:.0f}% of the echo bot's "
          f"({args.chats} concurrent chats, {args.seconds:.0f} s each, {args.database})")


if __name__ == "__main__":
    asyncio.run(main())

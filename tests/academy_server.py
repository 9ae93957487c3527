"""academy's own exchange server (an aiohttp app), served on a loopback
port from a thread of its own, for the tests that run it beside the
emulator."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from academy.exchange.cloud.app import create_app
from academy.exchange.cloud.config import ExchangeServingConfig
from aiohttp import web


@contextmanager
def serving(config: ExchangeServingConfig) -> Iterator[str]:
    """The server's base URL while the block runs."""
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(create_app(config))
    loop.run_until_complete(runner.setup())
    loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", 0).start())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        asyncio.run_coroutine_threadsafe(runner.cleanup(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

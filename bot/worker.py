"""A feed worker process (``python -m bot.worker``), started by ``bot.workers.WorkerPool``.

Reads a ``WorkerConfig`` and then ``(job_id, ReadJob, reparse)`` frames on standard input;
for each, fetches and parses (``bot.reading.read_feed``) and writes
``(job_id, ReadResult)`` on standard output. Jobs run concurrently on one event loop; the
parent enforces the request limits. Logs go to standard error; standard output carries
frames only. Exits when its input closes, after finishing the jobs it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from datetime import timedelta
from typing import BinaryIO

__all__ = ["main"]


async def _streams(
    stdin: BinaryIO, stdout: BinaryIO
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    from bot.workers import MAX_FRAME

    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=MAX_FRAME)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), stdin)
    transport, protocol = await loop.connect_write_pipe(asyncio.streams.FlowControlMixin, stdout)
    writer = asyncio.StreamWriter(transport, protocol, reader, loop)
    return reader, writer


async def serve(stdin: BinaryIO, stdout: BinaryIO) -> None:
    from bot.fetch import Fetcher
    from bot.logs import configure_logging
    from bot.parsing import InlineParser
    from bot.reading import read_feed
    from bot.workers import WorkerConfig, read_frame, write_frame

    reader, writer = await _streams(stdin, stdout)
    config = await read_frame(reader)
    if not isinstance(config, WorkerConfig):
        return
    configure_logging(config.log_format, config.log_level)  # type: ignore[arg-type]
    fetcher = Fetcher(
        timeout=timedelta(seconds=config.timeout),
        max_bytes=config.max_bytes,
        user_agent=config.user_agent,
    )
    parser = InlineParser(None)  # the main process extracts: it has the registry already
    write_lock = asyncio.Lock()
    running: set[asyncio.Task[None]] = set()

    async def handle(job_id: int, job: object, reparse: bool) -> None:
        from bot.reading import ReadJob

        assert isinstance(job, ReadJob)
        result = await read_feed(job, fetcher, parser.parse, reparse=reparse)
        async with write_lock:
            await write_frame(writer, (job_id, result))

    try:
        while (frame := await read_frame(reader)) is not None:
            task = asyncio.create_task(handle(*frame))
            running.add(task)
            task.add_done_callback(running.discard)
        if running:
            await asyncio.gather(*running, return_exceptions=True)
    finally:
        await fetcher.aclose()
        writer.close()


WORKER_NICE = 10
"""Workers run at a lower CPU priority than the main process: a heavy poll then takes the
cores only when commands and deliveries do not need them."""


def main() -> None:
    with contextlib.suppress(OSError):  # lowering one's own priority needs no privilege
        os.nice(WORKER_NICE)
    # Frames own the real standard output; anything printed by mistake goes to stderr.
    frames_out = os.fdopen(os.dup(sys.stdout.fileno()), "wb", buffering=0)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.stdout = sys.stderr
    with contextlib.suppress(KeyboardInterrupt):  # the parent is stopping too
        asyncio.run(serve(sys.stdin.buffer, frames_out))


if __name__ == "__main__":
    main()

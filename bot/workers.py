"""Reading feeds in worker processes, so that fetching and parsing use every core.

``WorkerPool`` starts ``python -m bot.worker`` processes and hands each ``ReadJob`` to the
least busy one over its standard input; results come back on its standard output as
length-prefixed pickles (between Hotline's own processes only). Each worker runs an event
loop with its own HTTP client and parses what it fetched; the main process keeps the limits
(requests overall and per host), runs the extractor on the items that come back (it holds
the officials' registry anyway, and extraction costs a few microseconds for an item that
names nobody, against milliseconds of parsing per document), the store and every decision.

A worker that dies fails only the jobs it held (they come back as ``worker_crash`` errors,
and those feeds retry on their next poll); the next job starts a replacement. Closing the
pool closes the workers' input, on which they finish and exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import pickle
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.reading import Extractor, ReadError, ReadJob, ReadResult, find_in

__all__ = ["WorkerConfig", "WorkerPool", "read_frame", "write_frame"]

log = logging.getLogger(__name__)

_HEADER = 4
MAX_FRAME = 256 * 1024 * 1024


async def write_frame(writer: asyncio.StreamWriter, value: object) -> None:
    data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    writer.write(len(data).to_bytes(_HEADER, "big") + data)
    await writer.drain()


async def read_frame(reader: asyncio.StreamReader) -> Any:
    """The next value, or ``None`` at the end of the stream."""
    try:
        head = await reader.readexactly(_HEADER)
        size = int.from_bytes(head, "big")
        if size > MAX_FRAME:
            raise ValueError(f"frame of {size} bytes is too large")
        return pickle.loads(await reader.readexactly(size))  # noqa: S301 - our own processes
    except asyncio.IncompleteReadError:
        return None


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """What a worker needs to know, sent as its first frame."""

    timeout: float = 20.0
    max_bytes: int = 10 * 1024 * 1024
    user_agent: str | None = None
    log_format: str = "text"
    log_level: str = "INFO"


@dataclass
class _Worker:
    process: asyncio.subprocess.Process
    writer: asyncio.StreamWriter
    pending: dict[int, asyncio.Future[ReadResult]] = field(default_factory=dict)
    listener: asyncio.Task[None] | None = None
    alive: bool = True


class WorkerPool:
    """Worker processes that read feeds (``size``: how many; one per core by default)."""

    def __init__(
        self, config: WorkerConfig, size: int = 0, *, extractor: Extractor | None = None
    ) -> None:
        self.config = config
        self.extractor = extractor
        self.size = size or os.cpu_count() or 1
        self._workers: list[_Worker] = []
        self._ids = itertools.count(1)
        self._lock = asyncio.Lock()

    async def start(self) -> None:
        """Start the workers now (otherwise the first job starts them)."""
        async with self._lock:
            self._workers = [w for w in self._workers if w.alive]
            while len(self._workers) < self.size:
                self._workers.append(await self._spawn())

    async def _spawn(self) -> _Worker:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.worker",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=MAX_FRAME,
        )
        assert process.stdin is not None
        assert process.stdout is not None
        worker = _Worker(process, process.stdin)
        await write_frame(worker.writer, self.config)
        worker.listener = asyncio.create_task(self._listen(worker, process.stdout))
        return worker

    async def _listen(self, worker: _Worker, stdout: asyncio.StreamReader) -> None:
        try:
            while (frame := await read_frame(stdout)) is not None:
                job_id, result = frame
                future = worker.pending.pop(job_id, None)
                if future is not None and not future.done():
                    future.set_result(result)
        except Exception:  # a garbled stream: treat the worker as dead
            log.exception("lost the connection to a feed worker")
        finally:
            worker.alive = False
            code = await worker.process.wait()
            if worker.pending:
                log.error(
                    "a feed worker exited (code %s) holding %d jobs; starting another",
                    code,
                    len(worker.pending),
                )
            for future in list(worker.pending.values()):
                if not future.done():
                    future.set_result(_crashed(code))
            worker.pending.clear()

    async def read(self, job: ReadJob, *, reparse: bool = False) -> ReadResult:
        """Read one feed in the least busy worker."""
        if len([w for w in self._workers if w.alive]) < self.size:
            await self.start()
        worker = min((w for w in self._workers if w.alive), key=lambda w: len(w.pending))
        job_id = next(self._ids)
        future: asyncio.Future[ReadResult] = asyncio.get_running_loop().create_future()
        worker.pending[job_id] = future
        try:
            await write_frame(worker.writer, (job_id, job, reparse))
        except (ConnectionError, RuntimeError) as exc:
            worker.pending.pop(job_id, None)
            return ReadResult(
                "error", job.url, error=ReadError("worker_crash", f"feed worker unavailable: {exc}")
            )
        result = await future
        if result.error is not None and result.error.kind == "worker_crash":
            return ReadResult("error", job.url, error=result.error)
        if result.parsed is not None and self.extractor is not None:
            findings = find_in(result.parsed.items, self.extractor)
            result = replace(result, parsed=replace(result.parsed, findings=findings))
        return result

    async def aclose(self) -> None:
        """Stop the workers: they finish what they hold and exit."""
        workers, self._workers = self._workers, []
        for worker in workers:
            with contextlib.suppress(ConnectionError, RuntimeError):
                worker.writer.close()
        for worker in workers:
            try:
                await asyncio.wait_for(worker.process.wait(), timeout=10)
            except TimeoutError:
                worker.process.kill()
                await worker.process.wait()
            if worker.listener is not None:
                await worker.listener

    @property
    def pids(self) -> Sequence[int]:
        return [w.process.pid for w in self._workers if w.alive]


def _crashed(code: int | None) -> ReadResult:
    return ReadResult(
        "error", "", error=ReadError("worker_crash", f"the feed worker exited (code {code})")
    )

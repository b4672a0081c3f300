"""Feed workers: real processes reading from a loopback server; crashes cost one job."""

from __future__ import annotations

import asyncio
import os
import signal

from bot.reading import ReadJob
from bot.workers import WorkerConfig, WorkerPool
from tests.fakes import Entry, FeedServer, KeywordExtractor, Said, rss


async def test_workers_fetch_parse_and_honour_validators() -> None:
    async with FeedServer() as server:
        server.serve("/a.xml", rss([Entry("a1", "One"), Entry("a2", "Two")]), etag='"a"')
        server.serve("/b.xml", rss([Entry("b1", "Three")]))
        pool = WorkerPool(WorkerConfig(timeout=10), size=2)
        try:
            first, second = await asyncio.gather(
                pool.read(ReadJob("a", server.url("/a.xml"))),
                pool.read(ReadJob("b", server.url("/b.xml"))),
            )
            assert first.status == "parsed"
            assert first.parsed is not None
            assert [i.title for i in first.parsed.items] == ["One", "Two"]
            assert first.etag == '"a"'
            assert second.parsed is not None
            assert [i.key for i in second.parsed.items] == ["guid:b1"]
            again = await pool.read(ReadJob("a", server.url("/a.xml"), etag='"a"'))
            assert again.status == "not_modified"
            same = await pool.read(ReadJob("b", server.url("/b.xml"), body_hash=second.body_hash))
            assert same.status == "unchanged"
            missing = await pool.read(ReadJob("c", server.url("/missing.xml")))
            assert missing.status == "error"
            assert missing.error is not None
            assert missing.error.kind == "http_404"
            assert len(pool.pids) == 2
        finally:
            await pool.aclose()
        assert pool.pids == []


async def test_a_dead_worker_fails_only_its_jobs_and_is_replaced() -> None:
    hold = asyncio.Event()

    async with FeedServer() as server:
        server.serve("/ok.xml", rss([Entry("x", "Fine")]))
        pool = WorkerPool(WorkerConfig(timeout=10), size=1)
        try:
            await pool.start()
            (pid,) = pool.pids
            server.holds["/slow.xml"] = hold  # a job that hangs until told
            stuck = asyncio.create_task(pool.read(ReadJob("s", server.url("/slow.xml"))))
            async with asyncio.timeout(10):
                while not any(path == "/slow.xml" for path, _ in server.requests):
                    await server.hit.wait()
                    server.hit.clear()
            os.kill(pid, signal.SIGKILL)
            crashed = await asyncio.wait_for(stuck, timeout=10)
            assert crashed.status == "error"
            assert crashed.error is not None
            assert crashed.error.kind == "worker_crash"
            fine = await pool.read(ReadJob("ok", server.url("/ok.xml")))
            assert fine.status == "parsed"
            assert pool.pids != [pid]
        finally:
            hold.set()
            await pool.aclose()


async def test_workers_run_at_a_lower_cpu_priority_than_the_main_process() -> None:
    pool = WorkerPool(WorkerConfig(timeout=10), size=1)
    try:
        await pool.start()
        (pid,) = pool.pids
        async with FeedServer() as server:  # a job done proves the worker is up and niced
            server.serve("/x.xml", rss([Entry("x", "X")]))
            assert (await pool.read(ReadJob("x", server.url("/x.xml")))).status == "parsed"
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(mine + 10, 19)
    finally:
        await pool.aclose()


async def test_workers_parse_and_the_main_process_extracts() -> None:
    extractor = KeywordExtractor([Said("Biden calls Xi", "biden", "xi")])
    async with FeedServer() as server:
        server.serve("/a.xml", rss([Entry("a1", "Biden calls Xi"), Entry("a2", "Weather")]))
        with_extractor = WorkerPool(WorkerConfig(timeout=10), size=1, extractor=extractor)
        parse_only = WorkerPool(WorkerConfig(timeout=10), size=1)
        try:
            found = await with_extractor.read(ReadJob("a", server.url("/a.xml")))
            assert found.parsed is not None
            assert [len(f.contacts) for f in found.parsed.findings] == [1, 0]
            (contact,) = found.parsed.findings[0].contacts
            assert (contact.a, contact.b) == ("biden", "xi")
            bare = await parse_only.read(ReadJob("a", server.url("/a.xml")))
            assert bare.parsed is not None
            assert len(bare.parsed.items) == 2
            assert bare.parsed.findings == ()
        finally:
            await with_extractor.aclose()
            await parse_only.aclose()

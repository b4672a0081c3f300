"""Record files: reading and validating rows (``bot.records``), recording them
(``bot.history.record_rows``), and ``hotline import`` as users run it."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import termios
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.extract import default_registry
from bot.history import Tally, read_file, record_rows
from bot.records import Problem, RecordFile, RecordFileError, RecordRow, decode, read_records
from bot.store import Store
from tests.conftest import DATA
from tests.test_cli import HOTLINE, run

REGISTRY = default_registry()
TODAY = date(2026, 11, 24)
HEADER = "date,a,a_country,b,b_country,kind,source_url,note\n"
RECORDS = DATA / "records"
URL = "https://desk.example/a"


def read(rows: str, header: str = HEADER) -> RecordFile:
    return read_records(header + rows, REGISTRY, today=TODAY, name="desk.csv")


# --- validation ----------------------------------------------------------------------------

BAD_ROWS = [
    pytest.param(
        f"15/03/2023,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},",
        ["date '15/03/2023' is not a day written YYYY-MM-DD"],
        id="date-not-iso",
    ),
    pytest.param(
        f"2023-02-30,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},",
        ["date 2023-02-30 is not a real day"],
        id="date-not-a-day",
    ),
    pytest.param(
        f"2026-11-25,Vladimir Putin,RU,Xi Jinping,CN,call,{URL},",
        ["date 2026-11-25 is in the future (today is 2026-11-24)"],
        id="date-in-the-future",
    ),
    pytest.param(
        f",Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},",
        ["date is missing (YYYY-MM-DD)"],
        id="date-missing",
    ),
    pytest.param(
        f"2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,phone,{URL},",
        ["kind 'phone' is neither call nor meeting"],
        id="kind-unknown",
    ),
    pytest.param(
        f"2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,,{URL},",
        ["kind is missing (call or meeting)"],
        id="kind-missing",
    ),
    pytest.param(
        "2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,ftp://desk.example/a,",
        ["source_url 'ftp://desk.example/a' is not an http(s) URL"],
        id="url-not-http",
    ),
    pytest.param(
        "2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,desk.example/a,",
        ["source_url 'desk.example/a' is not an http(s) URL"],
        id="url-without-scheme",
    ),
    pytest.param(
        "2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,,",
        ["source_url is missing: every contact needs its source"],
        id="url-missing",
    ),
    pytest.param(
        f"2023-03-15,Mark Milley,US,Valery Gerasimow,RU,call,{URL},",
        [
            "b: no official called 'Valery Gerasimow' in the registry; did you mean "
            "Valery Gerasimov?"
        ],
        id="name-unknown-with-suggestion",
    ),
    pytest.param(
        f"2023-03-15,Mark Milley,US,Qwxzy Plonk,RU,call,{URL},",
        ["b: no official called 'Qwxzy Plonk' in the registry"],
        id="name-unknown-without-suggestion",
    ),
    pytest.param(
        f"2023-06-01,Li,CN,Lloyd Austin,US,meeting,{URL},",
        ["a: 'Li' could be Li Qiang (CN) or Li Shangfu (CN); write the full name"],
        id="name-ambiguous",
    ),
    pytest.param(
        f"2024-05-01,Mark Milley,US,Valery Gerasimov,RU,call,{URL},",
        [
            "a: 'Mark Milley' held no leader-level role on 2024-05-01 (Mark Milley: military "
            "2019-10-01 to 2023-09-29)"
        ],
        id="name-out-of-office",
    ),
    pytest.param(
        f"2023-03-15,Mark Milley,RU,Valery Gerasimov,RU,call,{URL},",
        ["a: 'Mark Milley' is Mark Milley (US), not an official of RU"],
        id="name-of-another-country",
    ),
    pytest.param(
        f"2023-03-15,Mark Milley,XX,Valery Gerasimov,RU,call,{URL},",
        [
            "a_country 'XX' is not a country the registry knows (ISO 3166 alpha-2 such as US, "
            "or NATO, UN, EU)"
        ],
        id="country-unknown",
    ),
    pytest.param(
        f"2023-03-15,Lloyd Austin,US,Antony Blinken,US,call,{URL},",
        ["Lloyd Austin and Antony Blinken both serve US: a contact is between two governments"],
        id="same-government",
    ),
    pytest.param(
        f"2023-03-15,Lloyd Austin,,Lloyd Austin,,call,{URL},",
        ["a and b are the same official (Lloyd Austin)"],
        id="same-official",
    ),
    pytest.param(
        f"2023-03-15,,US,Sergei Shoigu,RU,call,{URL},",
        ["a is missing (an official's name)"],
        id="name-missing",
    ),
    pytest.param(
        "2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call",
        ["6 fields, but the header names 8 (date,a,a_country,b,b_country,kind,source_url,note)"],
        id="missing-fields",
    ),
    pytest.param(
        f"2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},note,extra",
        ["9 fields, but the header names 8 (date,a,a_country,b,b_country,kind,source_url,note)"],
        id="extra-fields",
    ),
    pytest.param(
        f'2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},"quoted"after',
        ["not valid CSV: ',' expected after '\"'"],
        id="malformed-quoting",
    ),
    pytest.param(
        "2031-13-01,Lloyd Austin,US,Lloyd Austin,US,telex,mailto:x@desk.example,",
        [
            "date 2031-13-01 is not a real day",
            "kind 'telex' is neither call nor meeting",
            "source_url 'mailto:x@desk.example' is not an http(s) URL",
            "a and b are the same official (Lloyd Austin)",
        ],
        id="every-problem-of-a-row",
    ),
]


@pytest.mark.parametrize(("row", "messages"), BAD_ROWS)
def test_a_bad_row_is_rejected_with_each_of_its_problems(row: str, messages: list[str]) -> None:
    assert read(row + "\n") == RecordFile(
        rows=(), problems=tuple(Problem(2, m) for m in messages), read=1
    )


def test_good_rows_resolve_names_through_the_registry() -> None:
    found = read(
        f"2023-03-15,Milley,,gerasimov,,call,{URL},\n"  # surnames, any case, no countries
        f"2023-03-15,us.defense,,ru.defense,,Call,{URL},role keys\n"  # whoever held the role
        f"2023-03-15,Antonio Guterres,UN,Vladimir Putin,RU,meeting,{URL},\n"  # a body
        f'2023-03-16, Lloyd Austin , US ,Sergei Shoigu,RU,call,{URL},"two\nlines"\n'
        "\n"  # a blank line is not a row
    )
    assert found == RecordFile(
        rows=(
            RecordRow(2, date(2023, 3, 15), "mark-milley", "valery-gerasimov", "call", URL),
            RecordRow(
                3, date(2023, 3, 15), "lloyd-austin", "sergei-shoigu", "call", URL, "role keys"
            ),
            RecordRow(4, date(2023, 3, 15), "antonio-guterres", "vladimir-putin", "meeting", URL),
            RecordRow(
                5, date(2023, 3, 16), "lloyd-austin", "sergei-shoigu", "call", URL, "two\nlines"
            ),
        ),
        problems=(),
        read=4,
    )


def test_an_unclosed_quote_does_not_swallow_the_rows_after_it() -> None:
    found = read(
        f'2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},"never closed\n'
        f'2023-03-16,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},next row"\n'
        f'2023-03-17,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},"closed"\n'
        f'2023-03-18,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},"a ""quoted"" word"\n'
    )
    assert found.problems == (
        Problem(
            2,
            "a quoted field runs from line 2 to line 3, over what look like other rows "
            "(a stray '\"'?)",
        ),
    )
    assert [(r.line, r.note) for r in found.rows] == [
        (3, 'next row"'),
        (4, "closed"),
        (5, 'a "quoted" word'),
    ]
    assert (found.read, found.rejected) == (4, 1)


def test_a_quoted_field_over_lines_that_leaves_too_many_fields_is_a_stray_quote() -> None:
    found = read(
        f'2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},"open\n'
        'more text", and, more, fields\n'
    )
    assert found.problems == (
        Problem(2, "a quoted field runs from line 2 to line 3, leaving 11 fields (a stray '\"'?)"),
        Problem(
            3,
            "4 fields, but the header names 8 (date,a,a_country,b,b_country,kind,source_url,note)",
        ),
    )


def test_a_quote_left_open_at_the_end_is_reported_at_its_line() -> None:
    found = read(f'2023-03-15,Lloyd Austin,US,Sergei Shoigu,RU,call,{URL},"open')
    assert found.problems == (Problem(2, "a quoted field is never closed (a stray '\"'?)"),)


def test_countries_and_note_are_optional_columns() -> None:
    found = read(
        f"2023-03-15,Mark Milley,Valery Gerasimov,call,{URL}\n", header="Date,A,B,Kind,Source_URL\n"
    )
    assert found.rows == (
        RecordRow(2, date(2023, 3, 15), "mark-milley", "valery-gerasimov", "call", URL),
    )


def test_a_byte_order_mark_and_windows_line_ends_are_read() -> None:
    data = (HEADER + f"2023-03-15,Mark Milley,US,Valery Gerasimov,RU,call,{URL},x\n").replace(
        "\n", "\r\n"
    )
    text = decode(b"\xef\xbb\xbf" + data.encode(), "desk.csv")
    assert read_records(text, REGISTRY, today=TODAY).rows == (
        RecordRow(2, date(2023, 3, 15), "mark-milley", "valery-gerasimov", "call", URL, "x"),
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "",
            "desk.csv: the first line must be the header naming the columns "
            "(date,a,a_country,b,b_country,kind,source_url,note)",
            id="empty",
        ),
        pytest.param(
            f"2023-03-15,Mark Milley,US,Valery Gerasimov,RU,call,{URL},\n",
            "desk.csv:1: no header: the first line must name the columns "
            "(date,a,a_country,b,b_country,kind,source_url,note), not hold a contact",
            id="no-header",
        ),
        pytest.param(
            "date,a,b,kind\n",
            "desk.csv:1: bad header: missing required column source_url",
            id="missing-column",
        ),
        pytest.param(
            "date,who,b,kind,url\n",
            "desk.csv:1: bad header: unknown columns 'who', 'url' (the columns are "
            "date,a,a_country,b,b_country,kind,source_url,note); missing required columns "
            "a, source_url",
            id="unknown-columns",
        ),
        pytest.param(
            "date,a,b,b,kind,source_url\n",
            "desk.csv:1: bad header: column named twice: b",
            id="duplicate-column",
        ),
        pytest.param(
            'date,"a,b,kind,source_url\n',
            "desk.csv:1: the header is not valid CSV (unexpected end of data)",
            id="header-quoting",
        ),
    ],
)
def test_a_file_without_a_usable_header_is_refused_whole(text: str, message: str) -> None:
    with pytest.raises(RecordFileError) as caught:
        read_records(text, REGISTRY, today=TODAY, name="desk.csv")
    assert str(caught.value) == message


def test_a_file_that_is_not_utf8_is_refused_with_the_line() -> None:
    data = (HEADER + "2023-03-15,Mark Milley,US,Valery Gerasimov,RU,call,").encode() + (
        b"https://desk.example/caf\xe9,\n"
    )
    with pytest.raises(RecordFileError) as caught:
        decode(data, "desk.csv")
    assert str(caught.value) == (
        "desk.csv: not UTF-8 text (line 2: byte 0xe9); save it as UTF-8 CSV"
    )


# --- recording -----------------------------------------------------------------------------


@pytest.fixture
def store() -> Store:
    return Store(":memory:", FixedClock(datetime(2026, 11, 24, tzinfo=UTC)))


def test_an_import_records_the_good_rows_and_nothing_of_the_bad_ones(store: Store) -> None:
    found = read_file(RECORDS / "mixed.csv", REGISTRY, today=TODAY)
    assert found.problems == (
        Problem(3, "kind 'phone' is neither call nor meeting"),
        Problem(
            4, "b: no official called 'Sergei Shoiguu' in the registry; did you mean Sergei Shoigu?"
        ),
        Problem(5, "a: 'Li' could be Li Qiang (CN) or Li Shangfu (CN); write the full name"),
        Problem(9, "a quoted field is never closed (a stray '\"'?)"),
    )
    assert (found.read, found.rejected) == (7, 4)
    assert record_rows(store, found.rows, origin="import", added_by="import mixed.csv") == Tally(
        recorded=2, new_events=2, already=1
    )
    (austin,) = store.pair_events("lloyd-austin", "sergei-shoigu")
    assert (austin.date, austin.kind) == (date(2023, 3, 15), "call")
    assert [(s.origin, s.title, s.url, s.evidence) for s in austin.sources] == [
        ("import", "desk.example", "https://desk.example/austin-shoigu", "the desk's own note")
    ]
    (blinken,) = store.pair_events("antony-blinken", "wang-yi")
    assert [(s.origin, s.evidence) for s in blinken.sources] == [("import", "Recorded contact")]
    assert store.count_events() == 2


def test_a_second_import_of_the_same_file_adds_nothing(store: Store) -> None:
    found = read_file(RECORDS / "newsroom.csv", REGISTRY, today=TODAY)
    assert found.problems == ()
    assert record_rows(store, found.rows, origin="import") == Tally(4, 4, 0)
    assert record_rows(store, found.rows, origin="import") == Tally(0, 0, 4)
    assert store.count_events() == 4
    # the same contact from another source joins the event as one more source
    other = read_file(RECORDS / "minimal.csv", REGISTRY, today=TODAY)
    assert record_rows(store, other.rows, origin="import") == Tally(1, 0, 0)
    (event, *_) = store.pair_events("mark-milley", "valery-gerasimov")
    assert [s.url for s in event.sources] == [
        "https://desk.example/2023/03/15/milley-gerasimov",
        "https://desk.example/minimal",
    ]


def test_rows_are_recorded_in_batches_with_progress(store: Store) -> None:
    found = read_file(RECORDS / "newsroom.csv", REGISTRY, today=TODAY)
    steps: list[int] = []
    assert record_rows(store, found.rows, origin="import", progress=steps.append, batch=3) == (
        Tally(4, 4, 0)
    )
    assert steps == [3, 1]


def test_consecutive_days_of_a_visit_are_two_contacts(store: Store) -> None:
    found = read_file(RECORDS / "newsroom.csv", REGISTRY, today=TODAY)
    record_rows(store, found.rows, origin="import")
    assert [e.date for e in store.pair_events("narendra-modi", "vladimir-putin")] == [
        date(2024, 7, 9),
        date(2024, 7, 8),
    ]


# --- hotline import ------------------------------------------------------------------------


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "feeds.yaml"
    path.write_text("feeds: [{name: wire, url: saved/wire.xml}]\nhistory: false\n", "utf-8")
    return path


def test_import_reports_every_bad_row_imports_the_rest_and_exits_1(
    config: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "h.db")
    mixed = str(RECORDS / "mixed.csv")
    result = run(["import", mixed, "--config", str(config), "--db", db], tmp_path)
    assert result.returncode == 1, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith(mixed)] == [
        f"{mixed}:3: kind 'phone' is neither call nor meeting",
        f"{mixed}:4: b: no official called 'Sergei Shoiguu' in the registry; did you mean "
        "Sergei Shoigu?",
        f"{mixed}:5: a: 'Li' could be Li Qiang (CN) or Li Shangfu (CN); write the full name",
        f"{mixed}:9: a quoted field is never closed (a stray '\"'?)",
    ]
    assert result.stdout == (
        f"{mixed}: 7 rows read\n"
        "  imported:          2 (2 new contacts, 0 more sources of known ones)\n"
        "  already recorded:  1\n"
        "  rejected:          4\n"
    )
    again = run(["import", mixed, "--config", str(config), "--db", db], tmp_path)
    assert again.returncode == 1
    assert "  imported:          0 (0 new contacts, 0 more sources of known ones)\n" in (
        again.stdout
    )
    assert "  already recorded:  3\n" in again.stdout


def test_import_of_a_good_file_exits_0_also_when_run_again(config: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "h.db")
    good = str(RECORDS / "newsroom.csv")
    first = run(["import", good, "--config", str(config), "--db", db], tmp_path)
    assert (first.returncode, first.stdout) == (
        0,
        f"{good}: 4 rows read\n"
        "  imported:          4 (4 new contacts, 0 more sources of known ones)\n"
        "  already recorded:  0\n"
        "  rejected:          0\n",
    )
    again = run(["import", good, "--config", str(config), "--db", db], tmp_path)
    assert again.returncode == 0
    assert "  already recorded:  4\n" in again.stdout
    answer = run(
        ["ask", "lastcontact", "burns", "naryshkin", "--config", str(config), "--db", db], tmp_path
    )
    assert "desk.example" in answer.stdout
    assert "imported record" in answer.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "cannot be read (No such file or directory)", id="missing"),
        pytest.param(b"when,who\n", "bad header", id="bad-header"),
        pytest.param(b"date,a,b,kind,source_url\n\xff\xfe\n", "not UTF-8 text", id="encoding"),
    ],
)
def test_import_of_an_unreadable_file_exits_2(
    config: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    path = tmp_path / "desk.csv"
    if content is not None:
        path.write_bytes(content)
    result = run(
        ["import", str(path), "--config", str(config), "--db", str(tmp_path / "h.db")], tmp_path
    )
    assert result.returncode == 2
    assert result.stderr.startswith("hotline: ")
    assert message in result.stderr
    assert result.stdout == ""


def _import_on_a_terminal(args: list[str], cwd: Path) -> str:
    """Run ``hotline import`` with its standard error on a pseudo-terminal; what it wrote
    there."""
    parent, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    environment = {k: v for k, v in os.environ.items() if not k.startswith("HOTLINE_")}
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    with subprocess.Popen(
        [*HOTLINE, "import", *args],
        cwd=cwd,
        env=environment,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=child,
    ) as process:
        os.close(child)
        chunks = []
        while True:
            try:
                chunk = os.read(parent, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=120) == 0
    os.close(parent)
    return b"".join(chunks).decode(errors="replace")


def test_a_progress_bar_shows_on_a_terminal_unless_turned_off(config: Path, tmp_path: Path) -> None:
    good = str(RECORDS / "newsroom.csv")
    common = ["--config", str(config), "--log-level", "WARNING"]
    shown = _import_on_a_terminal([good, *common, "--db", str(tmp_path / "a.db")], tmp_path)
    assert "0/4 [" in shown  # the bar, before the rows are recorded
    assert "row/s" in shown
    hidden = _import_on_a_terminal(
        [good, *common, "--db", str(tmp_path / "b.db"), "--no-progress"], tmp_path
    )
    assert hidden == ""

"""Progress reporting: live bars on a terminal, plain lines in a log."""

import io
import itertools

from rich.console import Console

from matcher.progress import LineReporter, RichReporter, rich_progress


def _log() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, force_terminal=False, width=200), out


def test_a_log_gets_a_line_at_the_start_and_every_tenth_of_the_way():
    console, out = _log()
    seconds = itertools.count(step=3)
    advance = LineReporter(console, clock=lambda: next(seconds)).task("features of needs", 40)
    for _ in range(40):
        advance(1)
    lines = out.getvalue().splitlines()
    assert lines[0] == "features of needs: started, 40 to do"
    assert len(lines) == 11
    assert lines[1] == "features of needs: 4/40 (10%) in 0:00:03"
    assert lines[-1] == "features of needs: 40/40 (100%) in 0:00:30"


def test_big_steps_print_one_line_and_unknown_totals_only_the_start():
    console, out = _log()
    reporter = LineReporter(console, clock=lambda: 0.0)
    advance = reporter.task("training rankers", 7)
    advance(5)  # from 0% to 71%: one line, not seven
    advance(2)
    unknown = reporter.task("loading", None)
    unknown(3)
    assert out.getvalue().splitlines() == [
        "training rankers: started, 7 to do",
        "training rankers: 5/7 (71%) in 0:00:00",
        "training rankers: 7/7 (100%) in 0:00:00",
        "loading: started",
    ]


def test_rich_progress_draws_bars_on_a_terminal_and_writes_lines_to_a_log():
    console, out = _log()
    with rich_progress(console) as reporter:
        assert isinstance(reporter, LineReporter)
        reporter.task("encoding posts", 2)(2)
    assert "encoding posts: 2/2 (100%)" in out.getvalue()

    terminal = Console(file=io.StringIO(), force_terminal=True)
    with rich_progress(terminal) as reporter:
        assert isinstance(reporter, RichReporter)

"""The benchmark of notices (bench/letters.py) feeds the templates data of its own: it must keep every key the
templates read, or the benchmark breaks unnoticed when a notice gains a field (it did, twice)."""

import pytest

from bench.letters import KINDS, notice_context
from inspect_loop.letters.render import render_html


@pytest.mark.parametrize("kind", KINDS)
def test_the_benchmark_s_data_renders_every_kind_it_times(kind):
    for index in range(4):  # one to four findings
        assert "</html>" in render_html(kind, notice_context(kind, index))

"""The compiled step search used by inputs and dense output, against numpy.searchsorted."""

import numpy as np

from circuitsim._kernels.inputs import bracket
from circuitsim._kernels.interpolate import find_step


def test_bracket_matches_searchsorted_inside_and_clamps_outside():
    rng = np.random.default_rng(0)
    times = np.cumsum(rng.uniform(0.1, 1.0, 50))
    lo, hi = 5, 40
    for t in rng.uniform(times[lo] - 1, times[hi] + 1, 500):
        a = bracket(times, lo, hi, t)
        ref = np.searchsorted(times[lo:hi + 1], t, side="right") - 1 + lo
        assert a == min(max(ref, lo), hi - 1)
    # knots belong to the interval they start
    assert bracket(times, lo, hi, times[10]) == 10


def test_find_step_puts_the_span_end_in_the_last_step():
    node_t = np.array([0.0, 1.0, 2.5, 4.0])
    assert [find_step(node_t, 3, t) for t in (0.0, 0.99, 1.0, 3.9, 4.0)] == [0, 0, 1, 2, 2]

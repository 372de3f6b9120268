"""The vectorisable exp/sigmoid (``_kernels/fastmath.py``) and the LTC kernels built on it.

References: numpy's and scipy's libm-based ``exp`` and ``expit``, the exact value in
extended precision where the platform has it, and the LTC vector field, diagonal and
Jacobian written with numpy over the kernel's own synapse arrays.
"""

import numba
import numpy as np
import pytest
from scipy.special import expit

import circuitsim as cs
import connectome
from circuitsim._kernels.fastmath import exp_array, sigmoid32_array, sigmoid_array
from circuitsim.models.ltc import LTCParams

TINY = 2.2250738585072014e-308  # smallest normal float64
EXTENDED = np.finfo(np.longdouble).eps < 1e-18  # x86 80-bit long double: a near-exact reference


def _ulps(got, ref):
    """|got - ref| in units of the last place of the float64 `ref` (subnormals: of the smallest subnormal)."""
    ref64 = np.asarray(ref, dtype=np.float64)
    return (np.abs(np.asarray(got, dtype=np.longdouble) - np.asarray(ref, dtype=np.longdouble))
            / np.spacing(np.abs(ref64))).astype(float)


def test_exp_within_two_ulp_of_numpy_over_the_whole_range():
    rng = np.random.default_rng(0)
    x = np.r_[np.linspace(-745.0, 709.7, 1_000_001), rng.uniform(-1, 1, 200_000), rng.normal(0, 1e-9, 1000),
              0.0, -0.0, 5e-324, -5e-324]
    got = exp_array(x)
    assert _ulps(got, np.exp(x)).max() <= 2.0
    if EXTENDED:  # against the exact value: within one ulp
        assert _ulps(got, np.exp(x.astype(np.longdouble))).max() <= 1.0


def test_exp_special_values():
    x = np.array([np.inf, -np.inf, np.nan, 709.78, 709.79, 1e300, -745.2, -1e300, 0.0])
    got = exp_array(x)
    with np.errstate(over="ignore"):
        ref = np.exp(x)
    np.testing.assert_array_equal(got, ref)  # also checks nan at the same place
    assert np.isfinite(got[3]) and got[4] == np.inf and got[6] == 0.0 and got[8] == 1.0


def test_sigmoid_accuracy_over_a_wide_range():
    """Within 5 ulp of scipy's expit and 3 ulp of the exact value; subnormal results to the last bit."""
    rng = np.random.default_rng(1)
    z = np.r_[np.linspace(-800.0, 800.0, 1_000_001), rng.normal(0, 5, 200_000), rng.normal(0, 1e-6, 1000)]
    got = sigmoid_array(z)
    ref = expit(z)
    normal = ref >= TINY
    assert _ulps(got[normal], ref[normal]).max() <= 5.0
    assert np.all(got[~normal] < TINY)  # expit itself flushes to 0 below z = -709.78
    assert np.all((got >= 0.0) & (got <= 1.0))
    if EXTENDED:
        zl = z.astype(np.longdouble)
        with np.errstate(over="ignore"):
            exact = np.where(zl >= 0, 1 / (1 + np.exp(-zl)), np.exp(zl) / (1 + np.exp(zl)))
        assert _ulps(got[normal], exact[normal]).max() <= 3.0
        assert _ulps(got[~normal], exact[~normal]).max() <= 1.0  # subnormal results: within one 5e-324


def test_sigmoid_special_values_and_symmetry():
    z = np.array([np.inf, -np.inf, np.nan, 1e300, -1e300, 0.0, -0.0, 36.0, 40.0])
    got = sigmoid_array(z)
    np.testing.assert_array_equal(got[[0, 1, 3, 4, 5, 6, 8]], [1.0, 0.0, 1.0, 0.0, 0.5, 0.5, 1.0])
    assert np.isnan(got[2]) and got[7] < 1.0  # 1 - s(36) = 2.3e-16 is still representable
    z = np.random.default_rng(2).uniform(-30, 30, 10_001)
    np.testing.assert_allclose(sigmoid_array(z) + sigmoid_array(-z), 1.0, rtol=0, atol=4e-16)


def test_single_precision_sigmoid_within_its_documented_bound():
    """float32 arithmetic: 2e-7 relative for z >= -85, 1.7e-38 absolute below (clamped), NaN kept."""
    rng = np.random.default_rng(3)
    z = np.r_[np.linspace(-200.0, 200.0, 2_000_001), rng.normal(0, 5, 200_000)].astype(np.float32)
    got = sigmoid32_array(z)
    assert got.dtype == np.float32
    got, ref = got.astype(np.float64), expit(z.astype(np.float64))
    above = z >= -85.0
    assert (np.abs(got[above] - ref[above]) / ref[above]).max() <= 2e-7
    assert np.abs(got[~above] - ref[~above]).max() <= 1.7e-38
    assert np.all((got >= 0.0) & (got <= 1.0))
    special = sigmoid32_array(np.array([np.inf, -np.inf, np.nan, 0.0, 100.0], np.float32))
    assert special[0] == 1.0 and 0.0 < special[1] <= 1.7e-38 and np.isnan(special[2]) and special[3] == 0.5
    assert special[4] == 1.0


def test_vector_lanes_and_scalar_remainder_agree_bit_for_bit():
    """An element's value does not depend on whether it falls in a SIMD lane or the scalar tail."""
    z = np.random.default_rng(3).uniform(-40, 40, 103)
    full = sigmoid_array(z)
    single = np.array([sigmoid_array(z[i:i + 1])[0] for i in range(z.size)])
    np.testing.assert_array_equal(full, single)
    np.testing.assert_array_equal(exp_array(-np.abs(z)), [exp_array(-np.abs(z[i:i + 1]))[0] for i in range(z.size)])


# -- the LTC kernels against numpy -------------------------------------------------------------
def _numpy_ltc(kp, y, u):
    """Vector field, diagonal and per-synapse Jacobian entries from the kernel arrays (libm exp via expit)."""
    n = y.shape[0]
    f = {k: np.asarray(getattr(kp, k), dtype=np.float64) for k in kp._fields if k != "eps"}
    post = np.repeat(np.arange(n), np.diff(kp.post_indptr))
    spost = np.repeat(np.arange(n), np.diff(kp.s_post_indptr))
    gpost = np.repeat(np.arange(n), np.diff(kp.g_indptr))
    pre = np.asarray(kp.pre_index)
    s = expit(f["sigma"] * (y[pre] - f["mu"]))
    a = f["w"] * s
    uc = u * f["input_w"] + f["input_b"]
    sa = f["s_w"] * expit(f["s_sigma"] * (uc[kp.s_in_index] - f["s_mu"]))
    cur = f["gleak"] * (f["vleak"] - y)
    scale = np.abs(cur)  # sum of the magnitudes of all terms: the size of the rounding errors
    for idx, terms in ((post, a * (f["erev"] - y[post])), (spost, sa * (f["s_erev"] - y[spost])),
                       (gpost, f["g_w"] * (y[kp.g_index] - y[gpost]))):
        np.add.at(cur, idx, terms)
        np.add.at(scale, idx, np.abs(terms))
    g = f["gleak"].copy()
    np.add.at(g, post, a)
    np.add.at(g, spost, sa)
    np.add.at(g, gpost, f["g_w"])
    jsyn = f["w"] * s * (1 - s) * f["sigma"] * (f["erev"] - y[post]) / f["cm"][post]
    return cur / f["cm"], scale / f["cm"], -g / f["cm"], jsyn


@pytest.fixture(scope="module")
def big_ltc():
    w = connectome.synthetic_brain(700, 100, gap_junctions_per_neuron=2, seed=1)  # 70k synapses: the threaded path
    p = LTCParams.initial(w, seed=4)
    rng = np.random.default_rng(4)
    p = p.replace(erev=rng.uniform(-1, 1, p.erev.size), sigma=rng.uniform(-8, 8, p.sigma.size),
                  mu=rng.uniform(-1, 1, p.mu.size))
    return cs.Circuit(w, "ltc", p)


def _state(c, seed):
    rng = np.random.default_rng(seed)
    kp = c.kernel_params()
    return kp, rng.uniform(-1, 1, c.n), rng.normal(size=kp.input_w.shape[0])


def test_threaded_vector_field_and_diagonal_match_numpy(big_ltc):
    from circuitsim._kernels.ltc import ltc_linear_diagonal, ltc_vector_field
    from circuitsim._kernels.threads import threaded

    kp, y, u = _state(big_ltc, 0)
    assert threaded(y.size, kp.pre_index.size)
    out, d = np.empty_like(y), np.empty_like(y)
    ltc_vector_field(kp, 0.0, y, u, out)
    ltc_linear_diagonal(kp, 0.0, y, u, d)
    ref, scale, dref, _ = _numpy_ltc(kp, y, u)
    assert np.all(np.abs(out - ref) <= 1e-13 * scale)
    np.testing.assert_allclose(d, dref, rtol=1e-13)


def test_jacobian_matches_numpy():
    from circuitsim._kernels.ltc import ltc_jac_values
    from reference_liquid import worm_wiring

    w = worm_wiring(gap_junctions=True)
    c = cs.Circuit(w, "ltc", LTCParams.initial(w, seed=2))
    kp, y, u = _state(c, 1)
    vals = np.empty(y.size + kp.pre_index.size + kp.g_index.size)
    ltc_jac_values(kp, 0.0, y, u, vals)
    _, _, dref, jsyn = _numpy_ltc(kp, y, u)
    n, nnz = y.size, kp.pre_index.size
    np.testing.assert_allclose(vals[:n], dref, rtol=1e-13)
    np.testing.assert_allclose(vals[n:n + nnz], jsyn, rtol=1e-12, atol=1e-15 * np.abs(jsyn).max())
    np.testing.assert_allclose(vals[n + nnz:], np.asarray(kp.g_w) / np.repeat(kp.cm, np.diff(kp.g_indptr)),
                               rtol=1e-15)


def test_vector_field_independent_of_thread_count_and_path(big_ltc):
    from circuitsim._kernels.ltc import _NEURON_BLOCK, _ltc_rhs_block, ltc_vector_field

    kp, y, u = _state(big_ltc, 5)
    outs = []
    before = numba.get_num_threads()
    try:
        for threads in sorted({1, before}):
            numba.set_num_threads(threads)
            out = np.empty_like(y)
            ltc_vector_field(kp, 0.0, y, u, out)
            outs.append(out)
    finally:
        numba.set_num_threads(before)
    serial = np.empty_like(y)
    for b in range(-(-y.size // _NEURON_BLOCK)):  # the serial path of small networks, block by block
        _ltc_rhs_block(kp, y, u, serial, b)
    for out in outs:
        np.testing.assert_array_equal(out, serial)


def test_float32_storage_field_within_its_documented_bound(big_ltc):
    """float32 conductances (float32 arithmetic, float64 sums) against the float64 field of the same rounded
    parameters: each synaptic term within 1e-6 relative (|sigma| <= 8, |v| <= 1), so the field within 1e-6 of
    the sum of the magnitudes of its terms."""
    from circuitsim._kernels.ltc import ltc_vector_field

    kp32, y, u = _state(big_ltc.replace(precision="float32"), 6)
    assert kp32.w.dtype == np.float32 and kp32.pre_index.dtype == np.int32
    kp64 = type(kp32)(*[a.astype(np.int64 if a.dtype.kind == "i" else np.float64)
                        if isinstance(a, np.ndarray) else a for a in kp32])
    o32, o64 = np.empty_like(y), np.empty_like(y)
    ltc_vector_field(kp32, 0.0, y, u, o32)
    ltc_vector_field(kp64, 0.0, y, u, o64)
    _, scale, _, _ = _numpy_ltc(kp64, y, u)
    err = np.abs(o32 - o64)
    assert np.all(err <= 1e-6 * scale)
    assert err.max() > 0.0  # the float32 arithmetic is in use

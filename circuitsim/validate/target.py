"""The measured atlas as aligned matrices: what a prediction is scored against.

Matrices are ``M[responding, stimulated]`` in the order of :attr:`AtlasTarget.responding`
and :attr:`AtlasTarget.stimulated` (rows respond, columns are stimulated, the
orientation of the atlas file). Nothing is transposed silently.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from ..errors import AnalysisError

__all__ = ["AtlasTarget", "AtlasCoverageError"]


class AtlasCoverageError(AnalysisError):
    """A circuit or request that does not contain the atlas neurons needed.

    Attributes
    ----------
    missing : list of str
        Atlas neurons asked for (or needed) that the circuit does not have.
    suggestions : dict
        Close matches among the circuit's neurons, per missing name.
    """

    def __init__(self, message: str, missing=(), known=()):
        from connectome.errors import close_matches

        self.missing = list(missing)
        self.suggestions = {m: close_matches(m, known) for m in self.missing[:20]} if known else {}
        hints = [f"{m!r} (did you mean {', '.join(repr(s) for s in sug)}?)"
                 for m, sug in self.suggestions.items() if sug]
        if hints:
            message += "; close matches: " + ", ".join(hints)
        super().__init__(message)


def _check_alpha(alpha):
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise AnalysisError(f"alpha must be a number in (0, 1), got {alpha!r}")
    return float(alpha)


@dataclasses.dataclass(frozen=True, eq=False)
class AtlasTarget:
    """A measured signal-propagation atlas aligned as matrices ``M[responding, stimulated]``.

    Build it with :meth:`load` (a packaged atlas) or :meth:`from_table`.

    Attributes
    ----------
    responding : tuple of str
        Row names: every neuron measured responding to another's stimulation.
    stimulated : tuple of str
        Column names: every neuron stimulated.
    dff, q, q_eq : ndarray (n_responding, n_stimulated)
        Mean dF/F over the 30 s after onset, FDR q of a response, FDR q of
        no response; NaN where not measured. The diagonal pairs (a neuron's own
        response) are NaN here and kept in :attr:`autoresponse`.
    autoresponse : ndarray (n_stimulated,)
        dF/F of each stimulated neuron itself (NaN if not recorded).
    alpha : float
        Significance level of the labels (default 0.05).
    label : str
        E.g. ``"randi2023/wt"``.
    """

    responding: tuple
    stimulated: tuple
    dff: np.ndarray
    q: np.ndarray
    q_eq: np.ndarray
    autoresponse: np.ndarray
    alpha: float = 0.05
    label: str = ""

    def __post_init__(self):
        object.__setattr__(self, "alpha", _check_alpha(self.alpha))
        shape = (len(self.responding), len(self.stimulated))
        for name in ("dff", "q", "q_eq"):
            arr = np.asarray(getattr(self, name), dtype=np.float64)
            if arr.shape != shape:
                raise AnalysisError(f"{name} must have shape {shape} (responding x stimulated), got {arr.shape}")
            arr.setflags(write=False)
            object.__setattr__(self, name, arr)
        auto = np.asarray(self.autoresponse, dtype=np.float64)
        if auto.shape != (shape[1],):
            raise AnalysisError(f"autoresponse must have shape ({shape[1]},), got {auto.shape}")
        auto.setflags(write=False)
        object.__setattr__(self, "autoresponse", auto)

    # -- construction ------------------------------------------------------------
    @classmethod
    def from_table(cls, table, *, alpha: float = 0.05, label: str = "") -> "AtlasTarget":
        """Align a long table (columns stimulated, responding, dff, q, q_eq) as matrices.

        Parameters
        ----------
        table : pandas.DataFrame
            As returned by :func:`connectome.functional_atlas`.
        alpha : float
            Significance level of :attr:`positive` and :attr:`negative`.
        label : str
        """
        need = {"stimulated", "responding", "dff", "q", "q_eq"}
        missing = need - set(getattr(table, "columns", ()))
        if missing:
            raise AnalysisError(f"the atlas table lacks the columns {sorted(missing)}")
        stim = table["stimulated"].astype(str).to_numpy()
        resp = table["responding"].astype(str).to_numpy()
        diag = stim == resp
        stimulated = tuple(sorted(set(stim[~diag])))
        responding = tuple(sorted(set(resp[~diag])))
        col = {n: k for k, n in enumerate(stimulated)}
        row = {n: k for k, n in enumerate(responding)}
        shape = (len(responding), len(stimulated))
        mats = {k: np.full(shape, np.nan) for k in ("dff", "q", "q_eq")}
        off = ~diag & np.isin(stim, stimulated) & np.isin(resp, responding)
        r = np.array([row[n] for n in resp[off]], dtype=np.int64)
        c = np.array([col[n] for n in stim[off]], dtype=np.int64)
        for key, mat in mats.items():
            mat[r, c] = table[key].to_numpy(dtype=np.float64)[off]
        auto = np.full(len(stimulated), np.nan)
        for name, value in zip(stim[diag], table["dff"].to_numpy(dtype=np.float64)[diag]):
            if name in col:
                auto[col[name]] = value
        return cls(responding, stimulated, mats["dff"], mats["q"], mats["q_eq"], auto, alpha, label)

    @classmethod
    def load(cls, name: str = "randi2023", strain: str = "wt", *, alpha: float = 0.05) -> "AtlasTarget":
        """A packaged atlas (see :func:`connectome.functional_atlas`), AWC named AWCL / AWCR."""
        import connectome

        table = connectome.functional_atlas(name, strain)
        return cls.from_table(table, alpha=alpha, label=f"{name}/{strain}")

    # -- labels --------------------------------------------------------------------
    @property
    def measured(self) -> np.ndarray:
        """Pairs with a finite q and dF/F (bool, responding x stimulated)."""
        return np.isfinite(self.q) & np.isfinite(self.dff)

    @property
    def positive(self) -> np.ndarray:
        """Significant responses: ``q < alpha``."""
        return self.measured & (np.nan_to_num(self.q, nan=1.0) < self.alpha)

    @property
    def negative(self) -> np.ndarray:
        """Confident non-responses: ``q_eq < alpha`` and ``q >= alpha`` (pairs with both count as positive)."""
        q_eq = np.nan_to_num(self.q_eq, nan=1.0)
        return self.measured & (q_eq < self.alpha) & ~self.positive

    @property
    def shape(self) -> tuple:
        """``(n_responding, n_stimulated)``."""
        return (len(self.responding), len(self.stimulated))

    def counts(self) -> dict:
        """Numbers of measured, positive (by sign) and negative pairs and of neurons."""
        pos = self.positive
        return {"pairs": int(self.measured.sum()), "positive": int(pos.sum()),
                "positive_up": int((pos & (self.dff > 0)).sum()),
                "positive_down": int((pos & (self.dff < 0)).sum()), "negative": int(self.negative.sum()),
                "stimulated": int(self.measured.any(axis=0).sum()),
                "responding": int(self.measured.any(axis=1).sum())}

    # -- restriction ----------------------------------------------------------------
    def restrict(self, neurons=None, *, stimulated=None) -> "AtlasTarget":
        """The part of the atlas among `neurons` (rows and columns), and only the `stimulated` columns.

        Parameters
        ----------
        neurons : iterable of str, optional
            Keep rows and columns in this set (e.g. a circuit's neurons).
        stimulated : iterable of str, optional
            Keep only these columns (in the order given).
        """
        rows, cols = list(self.responding), list(self.stimulated)
        if neurons is not None:
            keep = set(neurons)
            rows = [n for n in rows if n in keep]
            cols = [n for n in cols if n in keep]
        if stimulated is not None:
            wanted = [str(s) for s in stimulated]
            have = set(cols)
            missing = [s for s in wanted if s not in have]
            if missing:
                raise AtlasCoverageError(
                    f"{len(missing)} requested stimulated neuron(s) are not stimulated neurons of the atlas "
                    f"{self.label or ''} among the circuit's neurons: {missing[:20]}", missing, cols)
            cols = wanted
        ri = [self.responding.index(n) for n in rows]
        ci = [self.stimulated.index(n) for n in cols]
        sel = np.ix_(ri, ci)
        return AtlasTarget(tuple(rows), tuple(cols), self.dff[sel], self.q[sel], self.q_eq[sel],
                           self.autoresponse[ci], self.alpha, self.label)

    def __repr__(self) -> str:
        c = self.counts()
        return (f"<AtlasTarget {self.label or ''}: {c['pairs']} pairs ({c['positive']} positive, "
                f"{c['negative']} confident negative), {c['stimulated']} stimulated, alpha={self.alpha}>")

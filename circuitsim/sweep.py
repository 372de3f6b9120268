"""Sweeps: one circuit varied along one axis, run as one batch and labelled by the swept values.

>>> import connectome, circuitsim as cs
>>> c = cs.kunert2014(connectome.load("varshney2011"), {"PLML": 2000, "PLMR": 2000})  # doctest: +SKIP
>>> res = cs.simulate_batch(cs.sweep(c, amplitude=[1000, 2000, 3000]), 15_000, saveat=...)  # doctest: +SKIP
>>> res.to_xarray().sel(amplitude=2000)                                              # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses

import numpy as np

from .errors import ParameterError

__all__ = ["Sweep", "sweep"]


@dataclasses.dataclass(frozen=True)
class Sweep:
    """Circuits along one axis and the axis' values (what :func:`~circuitsim.simulate_batch` labels members by).

    Attributes
    ----------
    circuits : tuple of Circuit
    name : str
        The swept quantity (``"amplitude"``, ``"drive_scale"`` or a parameter field).
    values : ndarray
    """

    circuits: tuple
    name: str
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.circuits)

    def __iter__(self):
        return iter(self.circuits)


def _scaled(drive, factor):
    from .inputs import Drive

    out = []
    for s in drive.stimuli:
        fields = {}
        for name in ("amplitude", "values"):
            if hasattr(s, name) and getattr(s, name) is not None:
                fields[name] = np.asarray(getattr(s, name)) * factor
        out.append(dataclasses.replace(s, **fields))
    return Drive(tuple(out))


def sweep(circuit, **axis) -> Sweep:
    """A circuit varied along one axis.

    Parameters
    ----------
    circuit : Circuit
    **axis
        Exactly one of:

        * ``amplitude=values``: the circuit's drive with every stimulus amplitude set to
          each value (input units, e.g. pA); parameters derived from the drive follow
          (the graded network's thresholds);
        * ``drive_scale=values``: the drive multiplied by each value;
        * ``<parameter field>=values``: e.g. ``g_syn=[0.05, 0.1, 0.2]``.

    Returns
    -------
    Sweep

    Raises
    ------
    ParameterError
        No axis or several, an amplitude sweep of a circuit without drive or with stimuli
        of different amplitudes, an unknown parameter field.
    """
    from .circuit import Circuit

    if not isinstance(circuit, Circuit):
        raise ParameterError(f"sweep needs a Circuit, got {type(circuit).__name__}")
    if len(axis) != 1:
        raise ParameterError(f"sweep one axis at a time (amplitude=, drive_scale= or a parameter), got {sorted(axis)}")
    (name, values), = axis.items()
    values = np.atleast_1d(np.asarray(values))
    if values.ndim != 1 or len(values) == 0:
        raise ParameterError(f"{name} values must be a non-empty 1-d sequence")
    if name in ("amplitude", "drive_scale"):
        if circuit.drive is None or not circuit.drive.stimuli:
            raise ParameterError(f"a {name} sweep needs a circuit with a drive (Circuit(..., drive=...))")
        values = values.astype(np.float64)
        if not np.isfinite(values).all():
            raise ParameterError(f"{name} values must be finite")
        if name == "amplitude":
            amps = {float(a) for s in circuit.drive.stimuli for a in np.ravel(getattr(s, "amplitude", np.nan))}
            if len(amps) != 1 or not np.isfinite(next(iter(amps))) or next(iter(amps)) == 0:
                raise ParameterError("an amplitude sweep needs a drive whose stimuli share one non-zero amplitude; "
                                     "use drive_scale= otherwise")
            base = next(iter(amps))
            circuits = tuple(circuit.with_drive(_scaled(circuit.drive, v / base)) for v in values)
        else:
            circuits = tuple(circuit.with_drive(_scaled(circuit.drive, v)) for v in values)
    else:
        fields = {f.name for f in dataclasses.fields(circuit.params)}
        if name not in fields:
            from connectome.errors import close_matches

            near = close_matches(name, sorted(fields) + ["amplitude", "drive_scale"])
            hint = f"; did you mean {', '.join(map(repr, near))}?" if near else ""
            raise ParameterError(f"cannot sweep {name!r}: not a parameter of {type(circuit.params).__name__}{hint}")
        circuits = tuple(circuit.with_params(**{name: v}) for v in values)
    return Sweep(circuits, name, values)

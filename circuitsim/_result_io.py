"""Saving and loading results (and the circuits they carry), atomically and exactly.

A result file is an ``.npz`` archive: a JSON header, the samples, the dense output,
the wiring (its own ``.npz`` bytes) and the circuit (model name, parameters, initial
state). Version-1 files (before the shared time loop) load with their dense output
converted to the current representation.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import tempfile

import numpy as np

from .errors import CircuitsimError, ResultFileError

__all__ = ["save_result", "load_result", "params_to_bytes", "params_from_bytes"]

FORMAT_VERSION = 2


def _file_bytes(save) -> np.ndarray:
    """Bytes of a file written by ``save(path)`` (objects that save themselves to a path)."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "part.npz")
        save(path)
        with open(path, "rb") as fh:
            return np.frombuffer(fh.read(), dtype=np.uint8)


def _load_bytes(load, data: np.ndarray):
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "part.npz")
        with open(path, "wb") as fh:
            fh.write(np.asarray(data, dtype=np.uint8).tobytes())
        return load(path)


def params_to_bytes(params) -> np.ndarray:
    """A model's parameters as ``.npz`` bytes (their own ``save`` if they have one, else field by field)."""
    if hasattr(params, "save") and hasattr(type(params), "load"):
        return _file_bytes(params.save)
    arrays, plain = {}, {}
    for f in dataclasses.fields(params):
        v = getattr(params, f.name)
        if isinstance(v, np.ndarray):
            arrays[f.name] = v
        else:
            plain[f.name] = v
    buf = io.BytesIO()
    np.savez(buf, __json__=np.array(json.dumps(plain)), **arrays)
    return np.frombuffer(buf.getvalue(), dtype=np.uint8)


def params_from_bytes(params_type, data: np.ndarray):
    """Inverse of :func:`params_to_bytes`."""
    if hasattr(params_type, "load") and hasattr(params_type, "save"):
        return _load_bytes(params_type.load, data)
    with np.load(io.BytesIO(np.asarray(data, dtype=np.uint8).tobytes()), allow_pickle=False) as f:
        kw = json.loads(str(f["__json__"]))
        kw.update({k: f[k] for k in f.files if k != "__json__"})
    for k, v in list(kw.items()):
        if isinstance(v, list):  # JSON turned tuples into lists
            kw[k] = tuple(tuple(x) if isinstance(x, list) else x for x in v)
    return params_type(**kw)


def _wiring_bytes(wiring) -> np.ndarray:
    return _file_bytes(wiring.save)


FORMATS = {".npz": "circuitsim's own (exact round trip with Result.load)",
           ".nc": "netCDF via xarray (samples and coordinates, for other tools; not read back)"}


def save_result(result, path) -> None:
    """Write `result` to `path` atomically, in the format its extension names (:data:`FORMATS`)."""
    from pathlib import Path

    from connectome.atomic import atomic_path

    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        from .errors import ParameterError

        raise ParameterError(f"unknown result file extension {suffix or '(none)'!r} in {str(path)!r}; use one of "
                             + ", ".join(f"{k} ({v})" for k, v in FORMATS.items()))
    if suffix == ".nc":
        ds = result.to_xarray()
        with atomic_path(path, suffix=".nc") as tmp:
            ds.to_netcdf(tmp)
        return

    d = result.dense
    header = {"format_version": FORMAT_VERSION, "variables": list(result.variables), "neurons": list(result.neurons),
              "units": result.units, "t_span": list(result.t_span), "t_end": result.t_end, "stimuli": result.stimuli,
              "meta": result.meta, "batched": result.batched, "stats": list(result.stats),
              "dense": None if d is None else d.kind}
    arrays = {"header": np.array(json.dumps(header)), "t": result.t, "y": result.y}
    for k, v in result.stats.items():
        arrays[f"stats_{k}"] = v
    if d is not None:
        arrays.update(dense_node_t=d.node_t, dense_coeffs=d.coeffs, dense_n_steps=d.n_steps)
        if d.kind == "replay":
            arrays.update(dense_inputs=d.inputs, dense_columns=d.columns)
    if result.wiring is not None:
        arrays["wiring_npz"] = _wiring_bytes(result.wiring)
    c = result.circuit
    if c is not None:
        model = c.model
        if hasattr(model, "plastic_spec"):  # a plastic circuit: its base model plus the rule and selections
            header["circuit_plastic"] = model.plastic_spec()
            model = model.base
        header["circuit_model"] = model.name
        header["circuit_model_class"] = f"{type(model).__module__}:{type(model).__qualname__}"
        arrays["circuit_params"] = params_to_bytes(c.params)
        arrays["circuit_y0"] = c.y0
        arrays["header"] = np.array(json.dumps(header))
    with atomic_path(path, suffix=".npz") as tmp:
        np.savez_compressed(tmp, **arrays)


def load_result(cls, path):
    """Read a result written by :func:`save_result` (or a version-1 file).

    Raises
    ------
    ResultFileError
        Naming the path: missing, empty, truncated, corrupt, or not a result file.
    """
    import zipfile
    import zlib
    from pathlib import Path

    p = Path(path)
    if p.suffix.lower() == ".nc":
        raise ResultFileError(f"{str(path)!r} is a netCDF export: read it with xarray.open_dataset (results are "
                              "loaded from their .npz files)")
    if not p.is_file():
        raise ResultFileError(f"result file {str(path)!r} does not exist")
    try:
        return _load_npz(cls, path)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, KeyError, OSError, json.JSONDecodeError, TypeError) as err:
        if isinstance(err, CircuitsimError):
            raise
        kind = "empty" if p.stat().st_size == 0 else "truncated, corrupt or not a circuitsim result"
        raise ResultFileError(f"cannot read result file {str(path)!r}: {kind} ({type(err).__name__}: {err})") from None


def _load_npz(cls, path):
    from .result import DenseOutput

    with np.load(path, allow_pickle=False) as f:
        if "header" not in f.files:
            raise ResultFileError(f"{str(path)!r} is an .npz file but not a circuitsim result (no header)")
        h = json.loads(str(f["header"]))
        version = h.get("format_version")
        if version not in (1, FORMAT_VERSION):
            raise ResultFileError(f"{str(path)!r}: unsupported result file version {version}")
        dense = None
        if version == 1 and h["dense_kind"] is not None:
            dense = _dense_v1(h["dense_kind"], f["dense_node_t"], f["dense_coeffs"], f["dense_n_steps"])
        elif version == FORMAT_VERSION and h["dense"]:
            extra = {}
            if h["dense"] == "replay":
                extra = dict(inputs=f["dense_inputs"], columns=f["dense_columns"])
            dense = DenseOutput(f["dense_node_t"], f["dense_coeffs"], f["dense_n_steps"], kind=h["dense"], **extra)
        wiring = None
        if "wiring_npz" in f.files:
            from connectome import Wiring

            wiring = Wiring.load(io.BytesIO(f["wiring_npz"].tobytes()))
        circuit = None
        if "circuit_params" in f.files and wiring is not None:
            circuit = _circuit(h["circuit_model"], h.get("circuit_model_class"), wiring, f["circuit_params"],
                               f["circuit_y0"], h.get("circuit_plastic"))
        return cls(t=f["t"], y=f["y"], variables=tuple(h["variables"]), neurons=tuple(h["neurons"]),
                   units=h["units"], t_span=tuple(h["t_span"]), t_end=h["t_end"], dense=dense,
                   stats={k: f[f"stats_{k}"] for k in h["stats"]}, stimuli=h["stimuli"], meta=h["meta"],
                   batched=h["batched"], wiring=wiring, circuit=circuit)


def _circuit(model_name, model_class, wiring, params_bytes, y0, plastic=None):
    """The saved circuit, or None (with a warning) when its model (or learning rule) is not available here."""
    import importlib
    import warnings

    from .circuit import Circuit
    from .errors import ParameterError
    from .models.base import get_model

    try:
        model = get_model(model_name)
    except ParameterError:
        try:  # a model that is not registered by name: its class, where it was defined
            module, qualname = model_class.split(":")
            cls = importlib.import_module(module)
            for part in qualname.split("."):
                cls = getattr(cls, part)
            model = cls()
        except Exception:  # noqa: BLE001 - any failure: the result loads without its circuit
            warnings.warn(f"the result's model {model_name!r} is not available in this process; its circuit is "
                          "not restored (import the module that defines the model first)", stacklevel=3)
            return None
    params = params_from_bytes(model.params_type, params_bytes)
    if plastic is not None:
        from .plasticity.model import PlasticModel

        try:
            model = PlasticModel.from_spec(model, wiring, plastic)
        except (ImportError, AttributeError) as err:
            warnings.warn(f"the result's learning rule {plastic['rule_class']!r} is not available in this process "
                          f"({err}); its circuit is not restored", stacklevel=3)
            return None
    return Circuit(wiring, model, params, y0)


def _dense_v1(kind, node_t, coeffs, n_steps):
    """Dense output of a version-1 result file in this version's rows."""
    from .result import DenseOutput

    c = np.asarray(coeffs, dtype=np.float64)
    if kind == "rodas4":
        rows = c
    elif kind == "dopri5":  # r1..r5: y = r1 + th (r2 + (1-th) (r3 + th (r4 + (1-th) r5)))
        r1, r2, r3, r4, r5 = (c[:, :, q] for q in range(5))
        rows = np.stack([r1, r1 + r2, r3, r4 + r5, -r5], axis=2)
    elif kind == "hermite":  # y0, y1, f0, f1: d0 = h f0 - (y1 - y0), d1 = 2 (y1 - y0) - h (f0 + f1)
        h = np.diff(np.asarray(node_t, dtype=np.float64), axis=1)[:, :, None]
        y0, y1, f0, f1 = (c[:, :, q] for q in range(4))
        delta = y1 - y0
        rows = np.stack([y0, y1, h * f0 - delta, 2 * delta - h * (f0 + f1)], axis=2)
    else:
        raise CircuitsimError(f"unknown dense output kind {kind!r} in a version-1 result file")
    return DenseOutput(np.asarray(node_t, dtype=np.float64), np.ascontiguousarray(rows), np.asarray(n_steps))


def _batch_coords(result) -> dict:
    batch = result.meta.get("batch") or {}
    name = batch.get("name", "member")
    values = np.asarray(batch.get("values", list(range(result.batch_size))))
    coords = {"batch": ("batch", values)}
    if name != "batch":
        coords[name] = ("batch", values)
    return coords


def labelled_state(result, blocks: dict, tq: np.ndarray, scalar: bool):
    """:meth:`Result.at` as an :class:`xarray.Dataset` (`tq` the (B, q) times asked for)."""
    import xarray as xr

    dims = ("batch",) if result.batched else ()
    coords = {"neuron": list(result.neurons)}
    if scalar:
        coords["time"] = ((), float(tq[0, 0]), {"units": "ms"})
    else:
        dims += ("time",)
        if result.batched and not (tq == tq[:1]).all():
            coords["time"] = np.arange(tq.shape[1])
            coords["t"] = (("batch", "time"), np.array(tq), {"units": "ms"})
        else:
            coords["time"] = ("time", np.array(tq[0]), {"units": "ms"})
    if result.batched:
        coords.update(_batch_coords(result))
    data = {v: (dims + ("neuron",), a, {"units": result.units.get(v, "")}) for v, a in blocks.items() if v != "w"}
    if "w" in blocks:  # plastic weights live on synapses, labelled by their pre- and postsynaptic neurons
        info = result.meta["weights"]
        data["w"] = (dims + ("synapse",), blocks["w"], {"units": info.get("unit", "")})
        coords["pre"] = ("synapse", list(info["pre"]))
        coords["post"] = ("synapse", list(info["post"]))
    return xr.Dataset(data, coords=coords, attrs={"model": result.meta.get("model", "")})


def xarray_dataset(result, xr):
    """:meth:`Result.to_xarray` (kept here with the other formats)."""
    batch = result.meta.get("batch") or {}
    dims = ("batch", "time", "neuron") if result.batched else ("time", "neuron")
    coords = {"neuron": list(result.neurons)}
    per_member_t = np.ndim(result.t) == 2
    if per_member_t:
        coords["time"] = np.arange(result.t.shape[-1])
        coords["t"] = (("batch", "time"), result.t, {"units": "ms"})
    else:
        coords["time"] = ("time", result.t, {"units": "ms"})
    if result.batched:
        coords.update(_batch_coords(result))
    data = {v: (dims, result[v], {"units": result.units.get(v, "")}) for v in result.variables}
    attrs = {"model": result.meta.get("model", ""), "solver": json.dumps(result.meta.get("solver", {})),
             "t_start_ms": float(result.t_span[0]), "t_end_ms": float(result.t_end), "wiring": str(result.meta.get("wiring"))}
    if batch:
        attrs["swept"] = batch["name"]
    return xr.Dataset(data, coords=coords, attrs=attrs)

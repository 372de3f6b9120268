"""Saving and loading a :class:`~connectome.Wiring` (``.npz``, written atomically).

File format version 3 stores each sparse matrix as its CSR arrays; the signs are
stored as int8 on the chemical pattern (and input signs on the input map's), so a
synapse costs 13 bytes before compression. Versions 1 and 2 are still read.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .wiring_checks import json_default

__all__ = ["WiringPersistence", "FORMAT_VERSION"]

FORMAT_VERSION = 3
_READS = (1, 2, 3)


def _metadata_arrays(meta) -> dict:
    columns = [str(c) for c in meta.columns]
    arrays = {"meta_columns": np.array(json.dumps(columns)),
              "meta_dtypes": np.array(json.dumps([str(meta[c].dtype) for c in meta.columns]))}
    for k, c in enumerate(meta.columns):
        col = meta[c]
        if col.dtype.kind in "biuf":
            arrays[f"meta_{k}"] = col.to_numpy()
        else:
            values = [v.item() if isinstance(v, np.generic) else v for v in col.astype(object).tolist()]
            values = [None if v is pd.NA or v is pd.NaT else v for v in values]
            arrays[f"meta_{k}"] = np.array(json.dumps(values, default=json_default))
    return arrays


def _read_metadata(f, names) -> pd.DataFrame:
    columns = json.loads(str(f["meta_columns"]))
    dtypes = json.loads(str(f["meta_dtypes"]))
    data = {}
    for k, (c, dt) in enumerate(zip(columns, dtypes)):
        raw = f[f"meta_{k}"]
        if raw.ndim == 1:
            data[c] = pd.Series(raw, dtype=dt)
        else:
            values = pd.Series(json.loads(str(raw)), dtype=object)
            data[c] = values if dt == "object" else values.astype(dt)
    meta = pd.DataFrame(data, columns=columns)
    meta.index = pd.Index(names, name="name")
    return meta


class WiringPersistence:
    """``save`` / ``load`` (mixed into :class:`~connectome.Wiring`)."""

    def save(self, path, *, compress: bool = True) -> None:
        """Write the wiring to an ``.npz`` file atomically.

        The round trip with :meth:`load` is exact: neuron order, weights, signs,
        inputs, outputs, channel maps, ``info``, and the metadata's columns,
        values and dtypes (numeric and boolean columns stored as arrays, text and
        object columns as JSON).

        Parameters
        ----------
        path : str or os.PathLike
        compress : bool
            zlib-compress the arrays (default). ``False`` writes several times
            faster and larger files (useful above ~10^7 synapses).
        """
        from .atomic import atomic_path

        arrays = {
            "format_version": np.array(FORMAT_VERSION), "neurons": np.array(self.neurons, dtype=str),
            "inputs": np.array(self.inputs, dtype=str), "outputs": np.array(self.outputs, dtype=str),
            "name": np.array(self.name), "info": np.array(json.dumps(self.info, default=json_default)),
            "input_channels": np.array(self.input_channels, dtype=str),
            "output_channels": np.array(self.output_channels, dtype=str),
            **_metadata_arrays(self.metadata),
        }
        mats = {"chemical": self.chemical, "electrical": self.electrical, "input_map": self.input_map,
                "output_map": self.output_map}
        for key, m in mats.items():
            if m is None:
                continue
            arrays[f"{key}_data"], arrays[f"{key}_indices"], arrays[f"{key}_indptr"] = m.data, m.indices, m.indptr
            arrays[f"{key}_shape"] = np.array(m.shape, dtype=np.int64)
        arrays["sign_values"] = self.sign.data.astype(np.int8)
        if self.input_sign is not None:
            arrays["input_sign_values"] = self.input_sign.data.astype(np.int8)
        with atomic_path(path, suffix=".npz") as tmp:
            (np.savez_compressed if compress else np.savez)(tmp, **arrays)

    @classmethod
    def load(cls, path):
        """Read a wiring written by :meth:`save` (file format versions 1 to 3).

        Raises
        ------
        WiringFileError
            Naming the path: missing, empty, truncated, corrupt, or not a wiring file.
        """
        import io
        import json
        import zipfile

        from .errors import WiringFileError

        label = "an in-memory wiring file" if isinstance(path, io.IOBase) else repr(str(path))
        try:
            return cls._load(path)
        except WiringFileError:
            raise
        except (zipfile.BadZipFile, EOFError, ValueError, KeyError, OSError, json.JSONDecodeError, TypeError) as err:
            raise WiringFileError(f"cannot read wiring file {label}: truncated, corrupt or not a wiring file "
                                  f"({type(err).__name__}: {err})") from None

    @classmethod
    def _load(cls, path):
        from .errors import WiringFileError

        with np.load(path, allow_pickle=False) as f:
            if "format_version" not in f.files:
                raise WiringFileError(f"{str(path)!r} is an .npz file but not a wiring (no format_version)")
            version = int(f["format_version"])
            if version not in _READS:
                raise WiringFileError(f"{path}: unsupported wiring file version {version} (this version reads "
                                  f"{', '.join(map(str, _READS))})")
            names = [str(x) for x in f["neurons"]]
            n = len(names)

            def mat(key, shape=None):
                if f"{key}_data" not in f:
                    return None
                if f"{key}_shape" in f:
                    shape = tuple(int(x) for x in f[f"{key}_shape"])
                return sp.csr_array((f[f"{key}_data"], f[f"{key}_indices"], f[f"{key}_indptr"]), shape=shape)

            def signs(key, like):
                if like is None or f"{key}_values" not in f:
                    return mat(key, None if like is None else like.shape)
                return sp.csr_array((f[f"{key}_values"].astype(np.float64), like.indices, like.indptr),
                                    shape=like.shape)

            chem, gap = mat("chemical", (n, n)), mat("electrical", (n, n))
            sign = signs("sign", chem)
            if version == 1:
                import io

                meta = pd.read_json(io.StringIO(str(f["metadata"])), orient="split").set_index("name")
                return cls(names, chem, sign, gap, [str(x) for x in f["inputs"]],
                           [str(x) for x in f["outputs"]], meta, str(f["name"]))
            input_map = mat("input_map")
            return cls(
                names, chem, sign, gap, [str(x) for x in f["inputs"]], [str(x) for x in f["outputs"]],
                _read_metadata(f, names), str(f["name"]), input_map=input_map,
                input_sign=signs("input_sign", input_map),
                input_channels=[str(x) for x in f["input_channels"]],
                output_map=mat("output_map"),
                output_channels=[str(x) for x in f["output_channels"]],
                info=json.loads(str(f["info"])),
            )

"""connectome: published C. elegans wiring diagrams as pandas, NetworkX and scipy.sparse.

>>> import connectome
>>> c = connectome.load("varshney2011")       # doctest: +SKIP
>>> W = c.adjacency("chemical")               # doctest: +SKIP  W[pre, post], csr_array
>>> G = c.graph()                             # doctest: +SKIP  networkx.MultiDiGraph

Importing this package is light: NumPy, pandas and nothing heavier; SciPy and
NetworkX are imported when a matrix or graph is first asked for, and numba or
matplotlib never.
"""

from importlib import metadata as _metadata

from ._names import normalise_neuron_name
from .connectome import EDGE_TYPES, Connectome, from_edgelist, from_networkx
from .datasets import DEFAULT_DATASET, datasets, load
from .errors import (
    ConnectomeError,
    EdgeTableError,
    UnknownDatasetError,
    UnknownNameError,
    UnknownNeuronError,
    WiringError,
)
from . import signs

try:
    __version__ = _metadata.version("circuitsim")
except _metadata.PackageNotFoundError:  # running from a source checkout
    __version__ = "0+unknown"

__all__ = [
    "Connectome",
    "ConnectomeError",
    "DEFAULT_DATASET",
    "EDGE_TYPES",
    "EdgeTableError",
    "UnknownDatasetError",
    "UnknownNameError",
    "UnknownNeuronError",
    "Wiring",
    "WiringError",
    "datasets",
    "from_edgelist",
    "from_networkx",
    "load",
    "normalise_neuron_name",
    "signs",
]


def __getattr__(name):
    # Wiring needs scipy.sparse: import it on first use to keep `import connectome` light.
    if name == "Wiring":
        from .wiring import Wiring

        return Wiring
    raise AttributeError(f"module 'connectome' has no attribute {name!r}")

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

from .names import normalise_neuron_name
from .connectome import EDGE_TYPES, Connectome, from_edgelist, from_networkx
from .datasets import DEFAULT_DATASET, datasets, load
from .functional import UnknownAtlasError, UnknownStrainError, functional_atlas
from .errors import (
    ConnectomeError,
    DuplicateNameError,
    WiringFileError,
    EdgeTableError,
    UnknownDatasetError,
    UnknownNameError,
    UnknownNeuronError,
    WiringError,
)
from . import circuits, export, functional, layered, minimal, select, signs, stats, synthetic
from .circuits import CIRCUITS, circuit
from .export import outputs_first, to_ncps
from .layered import COMMAND_CLASSES
from .layered import layered as layered_wiring
from .minimal import MinimalSubcircuit, minimal_subcircuit
from .select import NoPathError, neighbourhood, paths_between, resolve
from .select import select as select_neurons
from .synthetic import auto_ncp, degree_preserving, fully_connected, ncp, random_sparse
from .large import synthetic_brain
from .flywire import FLYWIRE_SIGNS, read_flywire
from .neuprint import read_neuprint
from .readers import read_edge_list

try:
    __version__ = _metadata.version("circuitsim")
except _metadata.PackageNotFoundError:  # running from a source checkout
    __version__ = "0+unknown"

__all__ = [
    "CIRCUITS",
    "COMMAND_CLASSES",
    "MinimalSubcircuit",
    "NoPathError",
    "auto_ncp",
    "circuit",
    "circuits",
    "degree_preserving",
    "export",
    "fully_connected",
    "functional",
    "functional_atlas",
    "layered",
    "layered_wiring",
    "minimal",
    "minimal_subcircuit",
    "ncp",
    "neighbourhood",
    "outputs_first",
    "paths_between",
    "random_sparse",
    "resolve",
    "select",
    "select_neurons",
    "stats",
    "synthetic",
    "synthetic_brain",
    "to_ncps",
    "Connectome",
    "ConnectomeError",
    "DEFAULT_DATASET",
    "EDGE_TYPES",
    "EdgeTableError",
    "UnknownAtlasError",
    "DuplicateNameError",
    "WiringFileError",
    "FLYWIRE_SIGNS",
    "read_edge_list",
    "read_flywire",
    "read_neuprint",
    "UnknownDatasetError",
    "UnknownNameError",
    "UnknownNeuronError",
    "UnknownStrainError",
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

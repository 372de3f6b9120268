"""circuitsim: simulate neural circuits on real wiring diagrams.

Data flows one way::

    connectome.load(name) -> Connectome -> Wiring -> Circuit(wiring, model, params)
        -> simulate(...) -> Result (dense in time) -> analysis / plot
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("circuitsim")
except _metadata.PackageNotFoundError:  # running from a source checkout
    __version__ = "0+unknown"

"""Pictures of simulated activity (matplotlib).

Every function takes ``ax=`` (or ``fig=``), draws, and returns the Axes or
Figure; nothing calls ``show``. Data arguments accept what
:func:`circuitsim.analysis.as_activity` accepts: a Result, a DataFrame (index
= time in ms), an :class:`~circuitsim.analysis.Activity`, or an array with
``t=`` and ``names=``.

What a picture shows
--------------------
A Result is drawn as its model's *display quantity*
(:meth:`circuitsim.Result.display`): ``V - Vth`` in mV for the graded network
(each neuron relative to its threshold, the midpoint of its synapses'
sigmoid), the rate ``f(x)`` of a CTRNN, the state of LTC and CfC networks.
``var="V"`` (any recorded state variable) draws that variable as it is.
Colour limits default to the 2nd and 98th percentiles of the drawn activity
over the second half of the time window (:func:`colour_limits`), so that
neither a few neurons far from the rest nor the first moments set the range:
in the published worm model the raw V of the PLM neurons, driven with 2 nA,
reaches 8.4 V, every neuron starts volts away from its threshold (and stays
tens of mV below it until a stimulus comes on), and PLMR swings from -72 to
+55 mV around its threshold, while the locomotion rhythm of the motor neurons
spans a few mV. Values beyond the limits take the end colours and the colour
bar gets arrow ends. ``vmin=`` / ``vmax=`` or ``percentiles=None`` (full range)
override this.

Artists that tests and updates look for carry a ``gid``: ``"nodes"``,
``"edges-chemical-excitatory"``, ``"edges-chemical-inhibitory"``,
``"edges-electrical"``, ``"stimulus"``, ``"cursor"``, ``"trajectory"``,
``"time-marker"``, ``"heatmap"``, ``"group-separator"``, ``"group-strip"``,
``"group-label"``.

Contents
--------
heatmap          activity of every neuron over time, grouped by type and class
traces           activity of chosen neurons or classes, with a time cursor
overview         heatmap of every neuron above traces of the motor neurons (the ``circuitsim`` figure)
network          the wiring drawn anatomically or as a layered circuit, coloured at time t
update_network   recolour a network drawing for another time
pca_trajectory   phase portrait in principal-component space with time t marked
time_constants   effective time constants of a liquid model over time
snapshot         network + traces side by side at time t (an updatable Figure)
animate          an animation of the snapshot over time, frames following the rhythm
frame_times      frame times with at least 12 frames per cycle of the dominant rhythm
save_animation   write an animation as GIF (pillow) or MP4 (ffmpeg)
animation_html   HTML5 video when ffmpeg is available, JavaScript player otherwise
colour_limits    the robust colour limits the pictures use by default
order_neurons    drawing order by layer (sensory, inter, command, motor), class and name
layer_of         the layer of every neuron
separate         move overlapping points apart (the body layout's head somata)
"""

from __future__ import annotations

from ._animation import animate, animation_html, frame_times, save_animation, snapshot
from ._heatmap import heatmap
from ._layout import layer_of, order_neurons, separate
from ._network import network, update_network
from ._overview import MOTOR_CLASSES, overview
from ._pca import pca_trajectory
from ._style import EDGE_STYLE, LAYER_COLOURS, PERCENTILES, SETTLE, colour_limits
from ._traces import time_constants, traces

__all__ = [
    "EDGE_STYLE",
    "LAYER_COLOURS",
    "MOTOR_CLASSES",
    "PERCENTILES",
    "SETTLE",
    "animate",
    "animation_html",
    "colour_limits",
    "frame_times",
    "heatmap",
    "layer_of",
    "network",
    "order_neurons",
    "overview",
    "pca_trajectory",
    "save_animation",
    "separate",
    "snapshot",
    "time_constants",
    "traces",
    "update_network",
]

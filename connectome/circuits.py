"""Named C. elegans circuits with cited membership.

Each :class:`Circuit` lists neuron *classes* per role (sensory, inter, command,
motor) and the papers that assign them. :func:`circuit` cuts the circuit out
of a real connectome, keeping every synapse the dataset has among its members.

Membership is the classic one from the cited work (identified by laser
ablation and the wiring diagram of White et al. 1986); it is a starting point,
not a claim that no other neuron takes part.

References
----------
.. [Chalfie1985] Chalfie M, Sulston JE, White JG, Southgate E, Thomson JN,
   Brenner S (1985). The neural circuit for touch sensitivity in
   *Caenorhabditis elegans*. J Neurosci 5:956-964.
.. [Wicks1995] Wicks SR, Rankin CH (1995). Integration of mechanosensory stimuli
   in *Caenorhabditis elegans*. J Neurosci 15:2434-2444.
.. [McIntire1993] McIntire SL, Jorgensen E, Kaplan J, Horvitz HR (1993). The
   GABAergic nervous system of *Caenorhabditis elegans*. Nature 364:337-341.
.. [Zheng1999] Zheng Y, Brockie PJ, Mellem JE, Madsen DM, Maricq AV (1999).
   Neuronal control of locomotion in *C. elegans* is modified by a dominant
   mutation in the GLR-1 ionotropic glutamate receptor. Neuron 24:347-361.
.. [Gray2005] Gray JM, Hill JJ, Bargmann CI (2005). A circuit for navigation in
   *Caenorhabditis elegans*. PNAS 102:3184-3191.
.. [Iino2009] Iino Y, Yoshida K (2009). Parallel use of two behavioral
   mechanisms for chemotaxis in *Caenorhabditis elegans*. J Neurosci
   29:5370-5380.
.. [Izquierdo2013] Izquierdo EJ, Beer RD (2013). Connecting a connectome to
   behavior: an ensemble of neuroanatomical models of *C. elegans* klinotaxis.
   PLoS Comput Biol 9:e1002890.
.. [Hendricks2012] Hendricks M, Ha H, Maffey N, Zhang Y (2012).
   Compartmentalized calcium dynamics in a *C. elegans* interneuron encode
   head movement. Nature 487:99-103.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import UnknownNameError, UnknownNeuronError, WiringError

__all__ = ["Circuit", "CIRCUITS", "circuit", "circuits", "ROLES"]

ROLES = ("sensory", "inter", "command", "motor")


@dataclass(frozen=True)
class Circuit:
    """A named circuit: neuron classes per role, with the papers that assign them.

    Attributes
    ----------
    name : str
    description : str
    sensory, inter, command, motor : tuple of str
        Neuron classes (``"AVA"``) or single neurons (``"DVA"``) per role.
    references : tuple of str
        Short citations (full references in the module docstring).
    """

    name: str
    description: str
    sensory: tuple = ()
    inter: tuple = ()
    command: tuple = ()
    motor: tuple = ()
    references: tuple = ()

    def __post_init__(self):
        seen = {}
        for role in ROLES:
            for item in getattr(self, role):
                if item in seen:
                    raise WiringError(f"circuit {self.name!r} lists {item!r} as {seen[item]} and as {role}")
                seen[item] = role

    def members(self) -> dict[str, tuple]:
        """``{role: classes}`` for the non-empty roles, in layer order."""
        return {r: getattr(self, r) for r in ROLES if getattr(self, r)}


_TOUCH_MOTOR = ("VA", "DA", "VB", "DB")

CIRCUITS = {
    c.name: c
    for c in (
        Circuit(
            "touch_withdrawal",
            "Gentle body touch: anterior touch (ALM, AVM) drives backward movement through AVD and AVA "
            "onto the A-type motor neurons; posterior touch (PLM, PVM) drives forward movement through "
            "PVC and AVB onto the B-type motor neurons.",
            sensory=("ALM", "AVM", "PLM", "PVM"),
            command=("AVA", "AVD", "AVB", "PVC"),
            motor=_TOUCH_MOTOR,
            references=("Chalfie et al. 1985, J Neurosci 5:956",),
        ),
        Circuit(
            "tap_withdrawal",
            "Tap withdrawal reflex: touch receptors ALM, AVM, PLM and the PVD mechanosensors, with DVA "
            "integrating, onto the command interneurons AVA, AVD (reversal) and AVB, PVC (acceleration) "
            "and the A- and B-type motor neurons.",
            sensory=("ALM", "AVM", "PLM", "PVD"),
            inter=("DVA",),
            command=("AVA", "AVD", "AVB", "PVC"),
            motor=_TOUCH_MOTOR,
            references=("Wicks & Rankin 1995, J Neurosci 15:2434", "Chalfie et al. 1985, J Neurosci 5:956"),
        ),
        Circuit(
            "forward_locomotion",
            "Forward locomotion: command interneurons AVB and PVC (posterior touch via PLM, PVM) drive the "
            "excitatory B-type motor neurons VB, DB; the GABAergic D-type VD, DD relax the opposite side.",
            sensory=("PLM", "PVM"),
            command=("AVB", "PVC"),
            motor=("VB", "DB", "VD", "DD"),
            references=("Chalfie et al. 1985, J Neurosci 5:956", "McIntire et al. 1993, Nature 364:337",
                        "Zheng et al. 1999, Neuron 24:347"),
        ),
        Circuit(
            "backward_locomotion",
            "Backward locomotion: command interneurons AVA, AVD and AVE (anterior touch via ALM, AVM) drive "
            "the A-type motor neurons VA, DA; the GABAergic D-type VD, DD relax the opposite side.",
            sensory=("ALM", "AVM"),
            command=("AVA", "AVD", "AVE"),
            motor=("VA", "DA", "VD", "DD"),
            references=("Chalfie et al. 1985, J Neurosci 5:956", "McIntire et al. 1993, Nature 364:337",
                        "Zheng et al. 1999, Neuron 24:347"),
        ),
        Circuit(
            "klinotaxis",
            "Salt chemotaxis by klinotaxis (gradual head steering): the salt-sensing ASE pair onto the "
            "amphid interneurons AIY, AIZ and RIA, which steer the head through the neck / head motor "
            "neurons SMB and SMD.",
            sensory=("ASE",),
            inter=("AIY", "AIZ", "RIA"),
            motor=("SMB", "SMD"),
            references=("Iino & Yoshida 2009, J Neurosci 29:5370", "Izquierdo & Beer 2013, PLoS Comput Biol "
                        "9:e1002890", "Hendricks et al. 2012, Nature 487:99"),
        ),
        Circuit(
            "navigation",
            "Local search and dispersal: AWC, ASK (and ASI) sensory neurons onto AIB, AIY, AIZ and RIB, "
            "which set reversal and turn frequencies through the head motor neurons SMD, RIV and SMB.",
            sensory=("AWC", "ASK", "ASI"),
            inter=("AIB", "AIY", "AIZ", "RIB"),
            motor=("SMD", "RIV", "SMB"),
            references=("Gray et al. 2005, PNAS 102:3184",),
        ),
    )
}
CIRCUITS["chemotaxis"] = CIRCUITS["klinotaxis"]


def circuits() -> dict[str, str]:
    """Names of the known circuits with their description."""
    return {name: c.description for name, c in CIRCUITS.items()}


def circuit(name, source=None, *, missing: str = "error", layer_column: str = "layer"):
    """Cut a named circuit out of a connectome.

    Parameters
    ----------
    name : str or Circuit
        A key of :data:`CIRCUITS` (``"touch_withdrawal"``, ``"tap_withdrawal"``,
        ``"forward_locomotion"``, ``"backward_locomotion"``, ``"klinotaxis"`` (alias
        ``"chemotaxis"``), ``"navigation"``) or a :class:`Circuit`.
    source : Wiring or Connectome, optional
        Default: ``connectome.load("varshney2011")``.
    missing : {"error", "skip"}
        What to do with a member class that the dataset does not contain.
    layer_column : str
        Metadata column receiving each neuron's role.

    Returns
    -------
    Wiring
        Neurons ordered by role (sensory, inter, command, motor), within a role
        by the order of the circuit's classes, within a class in source order.
        ``inputs`` are the sensory neurons, ``outputs`` the motor neurons, all
        synapses among members are kept, and ``info["references"]`` cites the
        membership.

    Raises
    ------
    UnknownNameError
        Unknown circuit name (with close matches).
    UnknownNeuronError
        A member missing from the dataset when ``missing="error"``.
    """
    from .select import as_wiring, resolve, with_layers

    if isinstance(name, Circuit):
        spec = name
    else:
        if name not in CIRCUITS:
            raise UnknownNameError(name, CIRCUITS, kind="circuit")
        spec = CIRCUITS[name]
    if missing not in ("error", "skip"):
        raise WiringError(f"missing must be 'error' or 'skip', got {missing!r}")
    if source is None:
        from .datasets import load

        source = load("varshney2011")
    w = as_wiring(source)
    order, layers, skipped = [], {}, []
    for role, classes in spec.members().items():
        for cls in classes:
            try:
                names = resolve(w, [cls], what=f"{spec.name} {role}")
            except UnknownNeuronError:
                if missing == "error":
                    raise
                skipped.append(cls)
                continue
            for nm in names:
                if nm not in layers:
                    layers[nm] = role
                    order.append(nm)
    if not order:
        raise WiringError(f"none of the members of circuit {spec.name!r} is in wiring {w.name!r}")
    sub = w.subset(order, name=spec.name)
    sub = sub._replace(
        inputs=[nm for nm in order if layers[nm] == "sensory"],
        outputs=[nm for nm in order if layers[nm] == "motor"],
        input_map=None, input_sign=None, input_channels=(), output_map=None, output_channels=(),
        info={**w.info, "circuit": spec.name, "references": list(spec.references), "skipped": skipped},
    )
    return with_layers(sub, layers, layer_column)

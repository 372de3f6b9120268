"""Neuron models: one module per model (state variables, parameters, compiled vector field)."""

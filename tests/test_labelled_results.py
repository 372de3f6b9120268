"""Labelled results: ``Result.to_xarray`` and the netCDF export agree with the plain arrays.

The references are independent of the exporter: the samples of the same run read
by name through :meth:`Result.neuron`, and single runs of each swept circuit.
"""

from __future__ import annotations

import numpy as np
import pytest

import circuitsim as cs
import connectome

xr = pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def circuit():
    return cs.kunert2014(connectome.load("varshney2011"), {"PLML": 1000, "PLMR": 1000})


def test_single_run_is_labelled_by_time_and_neuron(circuit):
    r = cs.simulate(circuit, 200.0, saveat=np.linspace(0, 200, 41))
    ds = r.to_xarray()
    assert set(ds.data_vars) == set(r.variables)
    np.testing.assert_array_equal(ds["time"].values, r.t)
    assert list(ds["neuron"].values) == list(r.neurons)
    for v in r.variables:
        assert ds[v].attrs["units"] == r.units[v]
        for n in ("AVAL", "DB2"):
            np.testing.assert_array_equal(ds[v].sel(neuron=n).values, r.neuron(n, v))


def test_sweep_members_are_labelled_by_the_swept_values(circuit):
    amplitudes = [500.0, 1000.0, 2000.0]
    batch = cs.simulate_batch(cs.sweep(circuit, amplitude=amplitudes), 200.0, saveat=np.linspace(0, 200, 21))
    ds = batch.to_xarray()
    np.testing.assert_array_equal(ds["amplitude"].values if "amplitude" in ds.coords else ds["batch"].values,
                                  amplitudes)
    for a in amplitudes:
        single = cs.simulate(circuit.with_drive(cs.constant(["PLML", "PLMR"], a)), 200.0,
                             saveat=np.linspace(0, 200, 21))
        member = ds["V"].sel({ds["V"].dims[0]: a})
        np.testing.assert_allclose(member.sel(neuron="AVBL").values, single.neuron("AVBL", "V"), rtol=0, atol=1e-9)


def test_netcdf_export_reads_back_with_xarray(circuit, tmp_path):
    r = cs.simulate(circuit, 100.0, saveat=np.linspace(0, 100, 11))
    path = tmp_path / "run.nc"
    r.save(path)
    with xr.open_dataset(path) as back:
        back = back.load()
    expected = r.to_xarray()
    for v in r.variables:
        np.testing.assert_array_equal(back[v].values, expected[v].values)
        assert back[v].attrs["units"] == r.units[v]
    np.testing.assert_array_equal(back["time"].values, r.t)
    assert list(back["neuron"].values) == list(r.neurons)

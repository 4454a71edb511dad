"""The SONATA spike-file attributes a run file carries, so that SONATA readers (bmtk's
``SpikeTrains``, libsonata's ``SpikeReader``) read its ``/spikes`` group with the right times.

SONATA (developer guide, "Spike file"; "Common conventions / HDF5"):

- the root has ``magic`` (uint32 0x0A7A) and ``version`` (2 x uint32, the spec version);
- ``/spikes/<population>`` has ``sorting``, an HDF5 enum ``none | by_id | by_time``;
- ``/spikes/<population>/timestamps`` (double) has ``units`` (text); ``node_ids`` is uint64.

Readers that find no ``units`` assume milliseconds; allonet's times are seconds, so ``units`` is
``"s"`` (bmtk reports it through ``SpikeTrains.units()`` and converts with it). ``sorting`` is an
enum, not text: libsonata cannot read a text ``sorting`` at all, while bmtk reads the enum as an
unknown order and still reads every spike. The ``unit`` attribute every allonet dataset has stays
beside ``units``, for allonet's own readers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # h5py (30 ms) is imported where a file is written: a run imports it late
    import h5py

MAGIC = np.uint32(0x0A7A)
VERSION = np.array([0, 1], dtype=np.uint32)
#: The values of the ``sorting`` enum.
SORTING = {"none": 0, "by_id": 1, "by_time": 2}


def sorting(timestamps: np.ndarray, node_ids: np.ndarray) -> str:
    """How the spike pairs are ordered: ``"by_time"`` (times non-decreasing), ``"by_id"`` (ids
    non-decreasing, times non-decreasing within an id) or ``"none"``."""
    t, ids = np.asarray(timestamps, dtype=float), np.asarray(node_ids)
    if np.all(np.diff(t) >= 0):
        return "by_time"
    same_id = np.diff(ids) == 0
    if np.all(np.diff(ids.astype(np.int64)) >= 0) and np.all(np.diff(t)[same_id] >= 0):
        return "by_id"
    return "none"


def spike_file_attributes() -> dict[str, np.generic | np.ndarray]:
    """The SONATA root attributes of a spike file: ``magic`` and ``version``."""
    return {"magic": MAGIC, "version": VERSION.copy()}


def add_spike_attributes(h5: h5py.File) -> None:
    """Give an open, writable run file the SONATA root attributes and, for every
    ``/spikes/<population>`` group with ``timestamps`` and ``node_ids``, its ``sorting`` and
    the ``units`` of its timestamps (their allonet ``unit``, seconds)."""
    import h5py

    h5.attrs.update(spike_file_attributes())
    spikes = h5.get("spikes")
    if not isinstance(spikes, h5py.Group):
        return
    for group in spikes.values():
        if not (isinstance(group, h5py.Group) and "timestamps" in group and "node_ids" in group):
            continue
        order = sorting(group["timestamps"][()], group["node_ids"][()])
        group.attrs.create("sorting", SORTING[order],
                           dtype=h5py.enum_dtype(SORTING, basetype="u1"))
        stamps = group["timestamps"]
        stamps.attrs["units"] = stamps.attrs.get("unit", "s")


__all__ = ["MAGIC", "SORTING", "VERSION", "add_spike_attributes", "sorting",
           "spike_file_attributes"]

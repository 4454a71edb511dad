"""Run files to the formats other tools read: NWB (pynwb; DANDI) and Neo (Elephant).

Both exports read only the HDF5 run file. pynwb and neo are optional (extras ``nwb`` and ``neo``)
and imported when an export runs.
"""

"""Readouts computed from run files (never from live Brian2 objects)."""

from allonet.analysis.ipsc import IpscKinetics, ipsc_kinetics

__all__ = ["IpscKinetics", "ipsc_kinetics"]

"""Protocols: how an experiment drives a network, by ``protocol.kind``."""

from allonet.protocols import ipsc_dose_response

#: protocol kind -> module with ``run(specs, device, progress) -> RunData``
PROTOCOLS = {"ipsc_dose_response": ipsc_dose_response}

__all__ = ["PROTOCOLS"]

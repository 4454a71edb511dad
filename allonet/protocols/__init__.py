"""Protocols: how an experiment drives a network, by ``protocol.kind``."""

from allonet.protocols import background, fear_conditioning, ipsc_dose_response

#: protocol kind -> module with ``run(specs, device, progress) -> RunData``
PROTOCOLS = {"ipsc_dose_response": ipsc_dose_response, "fear_conditioning": fear_conditioning,
             "background": background}

__all__ = ["PROTOCOLS"]

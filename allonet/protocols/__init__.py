"""Protocols: how an experiment drives a network, by ``protocol.kind``."""

from allonet.protocols import background, fear_conditioning, ipsc_dose_response

#: protocol kind -> module with ``run(specs, device, progress) -> RunData``, and, for the memory
#: estimate (:mod:`allonet.resources`), ``simulated_network(network, protocol) -> NetworkSpec``
#: (the network as the protocol builds it) and ``recorded_size(network, protocol)`` (simulated
#: seconds, cells whose spikes are recorded, recorded state values)
PROTOCOLS = {"ipsc_dose_response": ipsc_dose_response, "fear_conditioning": fear_conditioning,
             "background": background}

__all__ = ["PROTOCOLS"]

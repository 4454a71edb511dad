"""allonet: spiking amygdala-hippocampus networks on Brian2 with allopregnanolone-scaled GABA-A
inhibition. See README.md for the two commands that set up, run and test it."""

__version__ = "0.1.0"

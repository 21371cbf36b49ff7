"""rmgen: generate QNX Neutrino resource managers from a YAML device description."""

__version__ = "0.1.0"
SPEC_FORMAT = 1

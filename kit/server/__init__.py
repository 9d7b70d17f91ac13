"""The server: `samskaping serve` and its command line, the Voilà subclass, limits, host check
and kernel launcher. Its settings (every KIT_* variable) are in :mod:`kit.core.config`."""

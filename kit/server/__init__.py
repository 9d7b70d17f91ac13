"""The server: `samskaping serve` and its command line, the Voilà subclass, limits, host check,
kernel launcher and the one configuration (every KIT_* setting)."""

"""Shared ground: texts and i18n, YAML, paths, the settings (every ``KIT_*`` variable:
:mod:`kit.core.config`), the table reader, exports and HTML primitives.

Pure: nothing here imports ipywidgets, IPython, altair or tornado, except :mod:`kit.core.ui`, the
widget toolkit every app is built from."""

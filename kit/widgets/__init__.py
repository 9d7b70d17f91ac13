"""The apps as widget classes: one class per app, each a container that displays itself.

Import from here in notebooks: ``from kit.widgets import Begreper; Begreper()``.
"""

from .base import App, PageSync
from .classify import Klassifisering
from .concepts import Begreper
from .explorer import Modellen
from .start import Start

__all__ = ["App", "Begreper", "Klassifisering", "Modellen", "PageSync", "Start"]

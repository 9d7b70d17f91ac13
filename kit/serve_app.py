"""The server behind ``samskaping serve``: Voilà with the kit's own routes on the same port.

Voilà 0.5 builds its Tornado application in ``Voila.start()`` from ``init_handlers()``; this
subclass puts the participant page and its JSON API (:mod:`kit.live.web`) in front of Voilà's
routes, so a phone in a live session costs no kernel. It also bounds what a visitor can send
to the server itself (request bodies). Run as ``python -m kit.serve_app`` with Voilà's options;
``samskaping serve`` (:mod:`kit.cli`) does that.
"""

from __future__ import annotations

import functools
import os

from voila.app import Voila

#: The largest HTTP request body the server reads (the participant API needs a few hundred
#: bytes; Voilà's own routes take no uploads over HTTP: files go over the kernel websocket).
MAX_BODY_SIZE = 1024 * 1024


class KitVoila(Voila):
    """Voilà plus the live classroom's participant side."""

    def init_handlers(self) -> list:
        from .live.store import Store
        from .live.web import Room, handlers

        self.live_room = Room(lambda: Store(os.environ.get("KIT_DB_URL") or None, shared=True))
        return handlers(self.server_url, self.live_room) + super().init_handlers()

    def start(self) -> None:
        original = self.listen

        def listen() -> None:
            # Voilà calls app.listen(port, ip); bound the body size of every request there.
            self.app.listen = functools.partial(self.app.listen, max_body_size=MAX_BODY_SIZE)
            original()

        self.listen = listen  # type: ignore[method-assign]
        super().start()


main = KitVoila.launch_instance

if __name__ == "__main__":  # pragma: no cover - started by `samskaping serve`
    main()

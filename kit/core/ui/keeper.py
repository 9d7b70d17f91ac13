"""Keys kept in the browser: the (code, key) pairs of what this browser started.

A presenter's live session and a facilitator's workshop belong to the browser that started
them: the store keeps only a hash of the key, and the key itself is kept in the browser's
``localStorage`` under ``storage`` (each app its own name). On display the browser sends what it
kept (``stored``, then ``loaded``); Python writes the list back whenever something starts or is
forgotten. The browser is not trusted: :meth:`KeyKeeper.claims` cleans what it sends, and the
store checks every key. The JavaScript is inline (nothing is fetched or built).
"""

from __future__ import annotations

from typing import Any

import anywidget
import traitlets

from kit.core import config
from kit.core.address import public_base_url
from kit.core.i18n import setting_message

__all__ = ["KeptRooms", "KeyKeeper"]

#: A browser's list is cut to this many (code, key) pairs.
CLAIMS_MAX = 50
_CODE_MAX = 12
_KEY_MAX = 64

_KEEPER_ESM = """
function read(name) {
  try { const v = JSON.parse(localStorage.getItem(name) || "[]"); return Array.isArray(v) ? v : []; }
  catch (e) { return []; }
}
export default {
  render({ model, el }) {
    el.style.display = "none";
    model.set("stored", read(model.get("storage")));
    model.set("loaded", true);
    model.save_changes();
    model.on("change:stored", () => {
      try { localStorage.setItem(model.get("storage"), JSON.stringify(model.get("stored"))); } catch (e) {}
    });
  }
};
"""


class KeyKeeper(anywidget.AnyWidget):
    """The (code, key) pairs of this browser, kept in ``localStorage[storage]``."""

    _esm = _KEEPER_ESM
    #: the localStorage entry (one per app)
    storage = traitlets.Unicode("samskaping:keys").tag(sync=True)
    stored = traitlets.List(traitlets.Dict()).tag(sync=True)
    loaded = traitlets.Bool(False).tag(sync=True)

    def claims(self) -> list[tuple[str, str]]:
        """The (code, key) pairs kept, cleaned of anything malformed."""
        out = []
        for item in list(self.stored)[:CLAIMS_MAX]:
            code, key = item.get("code"), item.get("key")
            if (
                isinstance(code, str)
                and isinstance(key, str)
                and len(code) <= _CODE_MAX
                and len(key) <= _KEY_MAX
            ):
                out.append((code, key))
        return out

    def remember(self, code: str, key: str) -> None:
        """Keep ``code``'s key, newest first (a code is kept once)."""
        kept = [c for c in self.claims() if c[0] != code]
        self.stored = [{"code": c, "key": k} for c, k in [(code, key), *kept][:CLAIMS_MAX]]

    def forget(self, code: str) -> None:
        self.stored = [{"code": c, "key": k} for c, k in self.claims() if c != code]


class KeptRooms:
    """What an app does with the rooms this browser started (the presenter's sessions, the
    facilitator's workshops): offer them again when the browser says which it kept, resume one,
    end one from the list, check the phones' address before a start.

    The app has ``keeper`` (a :class:`KeyKeeper`), ``session`` (its controller: ``code``,
    ``find_resumable``, ``resume``, ``end_listed`` and ``refusals``, what they refuse with) and
    ``lang``, and implements the hooks :meth:`problem_text` (a refusal in words),
    :meth:`say_problem` (shown on the start screen), :meth:`_fill_resume` and :meth:`show_room`."""

    keeper: KeyKeeper
    session: Any
    lang: str

    @property
    def code(self) -> str | None:
        """The room on screen (the controller's), or None."""
        return self.session.code

    def say_problem(self, message: str) -> None:
        raise NotImplementedError

    def problem_text(self, exc: Exception) -> str:
        raise NotImplementedError

    def _fill_resume(self, lang: str) -> None:
        raise NotImplementedError

    def show_room(self) -> None:
        raise NotImplementedError

    def started(self, code: str, key: str) -> str:
        """A room just started: its key kept in the browser, its screen shown; its code."""
        self.keeper.remember(code, key)
        self.show_room()
        return code

    def _on_keeper(self, change: dict) -> None:
        """The browser told us what it started: forget what is gone, offer the rest."""
        if not change["new"] or self.code is not None:
            return
        try:
            gone = self.session.find_resumable(self.keeper.claims())
        except self.session.refusals as exc:
            self.say_problem(self.problem_text(exc))
            return
        for code in gone:
            self.keeper.forget(code)
        self._fill_resume(self.lang)

    def resume(self, code: str) -> bool:
        """Back to a room this browser started (after a reload): same code, same screen."""
        if not self._address_ok():
            return False
        try:
            self.session.resume(code, dict(self.keeper.claims()).get(code))
        except self.session.refusals as exc:
            self.say_problem(self.problem_text(exc))
            return False
        self.show_room()
        return True

    def _end_listed(self, code: str) -> None:
        """End a room from the list of this browser's rooms (its key from the keeper)."""
        try:
            self.session.end_listed(code, dict(self.keeper.claims()).get(code))
        except self.session.refusals as exc:
            self.say_problem(self.problem_text(exc))
            return
        self._fill_resume(self.lang)

    def _address_ok(self) -> bool:
        """Whether the address phones are sent to can be made (a bad ``KIT_PUBLIC_URL`` is said
        before a room starts; ``samskaping serve`` refuses it earlier still)."""
        try:
            public_base_url()
        except config.ConfigError as exc:
            self.say_problem(setting_message(exc, self.lang))
            return False
        return True

"""Keys kept in the browser: the (code, key) pairs of what this browser started.

A presenter's live session and a facilitator's workshop belong to the browser that started
them: the store keeps only a hash of the key, and the key itself is kept in the browser's
``localStorage`` under ``storage`` (each app its own name). On display the browser sends what it
kept (``stored``, then ``loaded``); Python writes the list back whenever something starts or is
forgotten. The browser is not trusted: :meth:`KeyKeeper.claims` cleans what it sends, and the
store checks every key. The JavaScript is inline (nothing is fetched or built).
"""

from __future__ import annotations

import anywidget
import traitlets

__all__ = ["KeyKeeper"]

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

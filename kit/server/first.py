"""Imported first by :mod:`kit.server.app`, before Voilà: the optional modules of
:data:`kit.server.kernel_launcher.SLOW_OPTIONAL_IMPORTS` are marked missing in the server
process too. Voilà's imports reach jsonschema (through jupyter_events), which imported
``rfc3987_syntax`` and compiled its grammars: 1.4 s of the server's ~2.5 s start on this 2-core
machine, paid again at every restart while the phones wait. ``main()`` marked them too late."""

from kit.server.kernel_launcher import skip_slow_optional_imports

skip_slow_optional_imports()

"""The live classroom: the shared store, the pure room logic and the participants' web page.

- :mod:`kit.live.schema`: tables, schema versioning and engine setup (SQLAlchemy Core);
- :mod:`kit.live.store`: sessions, participants, rounds and answers, everything checked;
- :mod:`kit.live.room`: pure room logic (answers, ranking, rounds, export rows), no database;
- :mod:`kit.live.web`: the Tornado handlers that serve participants without a kernel;
- ``kit/live/static/``: the participant page's JavaScript and CSS (no CDN, no build step).
"""

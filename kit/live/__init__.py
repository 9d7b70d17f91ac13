"""The live classroom: the shared store, the pure room logic, the hub, the participants' web
page and the presenter.

- :mod:`kit.live.schema`: tables, schema versioning and engine setup (SQLAlchemy Core);
- :mod:`kit.live.store`: sessions, participants, rounds and answers, everything checked;
- :mod:`kit.live.room`: pure room logic (answers, ranking, rounds, export rows), no database;
- :mod:`kit.live.hub`: one server process's share: store threads, per-session cache, waiters;
- :mod:`kit.live.page`: the participant page (HTML with its script and style inside);
- :mod:`kit.live.handlers`: the Tornado handlers that serve participants without a kernel;
- :mod:`kit.live.plan` and :mod:`kit.live.picker`: the session plan the presenter starts (pure:
  ready-made plans, search, the plan file) and its builder; :mod:`kit.live.plan_html` its rows;
- :mod:`kit.live.controller` and :mod:`kit.live.presenter`: the presenter's session (pure) and
  its widget; :mod:`kit.live.presenter_html` and :mod:`kit.live.charts` what it shows;
- ``kit/live/static/``: the participant page's JavaScript and CSS (no CDN, no build step).
"""

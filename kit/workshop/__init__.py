"""Samarbeidsverkstedet (issue 16): the parties of a cooperation clarify it level by level and
leave with a draft agreement.

- :mod:`kit.workshop.model`: the agenda (``data/workshop.yaml``), a workshop's state, the bounds
  on every text a participant sends, and the response picture per clause (pure);
- :mod:`kit.workshop.example`: the sample workshop of ``data/workshop_example.yaml`` (pure);
- :mod:`kit.workshop.agreement`: the draft agreement as Markdown and printable HTML (pure);
- :mod:`kit.workshop.docx_export`: the same draft as a Word document (python-docx);
- :mod:`kit.workshop.store`, :mod:`kit.workshop.page` and :mod:`kit.workshop.handlers`: workshops
  in the live room's database and the participants' page ``/verksted`` (no kernel);
- :mod:`kit.workshop.controller` (pure) and :mod:`kit.workshop.app` (its widget, with its HTML in
  :mod:`kit.workshop.app_html`): the facilitator's app, ``notebooks/09_samarbeidsverksted.ipynb``.
"""

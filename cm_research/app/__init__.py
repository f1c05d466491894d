"""The practitioners' app: the partnership's whole cycle in a browser, with no terminal and no code.

``cm-research app`` serves the "Start here" notebook with Voilà on 127.0.0.1 (:mod:`~cm_research.app.server`).
The notebook only lays out the widgets of :mod:`~cm_research.app.ui`; the work is done by small modules that are
tested without a browser:

* :mod:`~cm_research.app.project` the project folder, and the only way the app reaches a file;
* :mod:`~cm_research.app.uploads` uploads kept with their time, checked by the package's readers;
* :mod:`~cm_research.app.cycle_form` the action-research cycle form and its YAML;
* :mod:`~cm_research.app.review` suggested coding, one-at-a-time review, themes by role;
* :mod:`~cm_research.app.reports` reports run as a one-site batch, with the disclosure check's verdict.
"""

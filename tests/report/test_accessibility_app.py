"""The practitioners' app meets WCAG 2.1 AA in what axe cannot see from one page state: every control of every
step has a label (its ``description``, which ipywidgets renders as the control's ``<label>``, or its text for a
button), and an error is told by words, not by the colour of its box (1.4.1, 3.3.1, 4.1.3: ``role="alert"`` and
"Error:" first). Checked on the widgets and their HTML, as the app's own logic tests do (no server, no browser)."""

from __future__ import annotations

import ipywidgets as w
from bs4 import BeautifulSoup

from cm_research.app.html import message_html
from cm_research.app.project import Project
from cm_research.app.ui import App

#: widgets a person operates (everything but layout boxes and HTML output)
CONTROLS = (w.Text, w.Textarea, w.Dropdown, w.Select, w.SelectMultiple, w.Checkbox, w.RadioButtons,
            w.ToggleButtons, w.FileUpload, w.Button, w.IntText, w.FloatText, w.DatePicker, w.Combobox,
            w.FloatProgress, w.IntProgress, w.IntSlider, w.FloatSlider)


def _walk(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from _walk(child)


def test_every_control_of_every_step_has_a_label_or_text(tmp_path):
    app = App(Project.open(tmp_path / "my-evaluation"))
    steps = [getattr(app, f"{s}_step")() for s in ("project", "data", "cycle", "interviews", "reports")]
    controls = [c for step in steps for c in _walk(step) if isinstance(c, CONTROLS)]
    assert len(controls) >= 25  # the five steps' inputs and buttons, not an empty walk
    unlabelled = [type(c).__name__ for c in controls if len((c.description or "").strip()) < 3]
    assert not unlabelled, unlabelled
    # a label wide enough to be read whole (ipywidgets cuts a description to its default 80 px width otherwise)
    cut = [c.description for c in controls if not isinstance(c, (w.Button, w.FileUpload))
           and c.style.description_width != "initial"]
    assert not cut, cut
    buttons = [c.description for c in controls if isinstance(c, w.Button)]
    assert all(any(ch.isalpha() for ch in b) for b in buttons) and not any(c.icon and not c.description
                                                                             for c in controls
                                                                             if isinstance(c, w.Button))
    # the action rows added later are labelled too ("Action 1 date", ...)
    cycle = steps[2]
    add = next(c for c in _walk(cycle) if isinstance(c, w.Button) and c.description == "Add an action")
    add.click()
    added = [c.description for c in _walk(cycle) if isinstance(c, w.Text) and c.description.startswith("Action 1")]
    assert added == ["Action 1 date", "Action 1 who", "Action 1: what was done"]


def test_an_error_is_announced_in_words_not_only_in_red(tmp_path):
    app = App(Project.open(tmp_path / "my-evaluation"))
    shown = BeautifulSoup(app._check_upload("mystery.csv", b"a,b\n1,2\n", "data", ""), "html.parser")
    box = shown.find("div", class_="cm-error")
    assert box["role"] == "alert" and box.get_text().startswith("Error: mystery.csv: choose which table")
    ok = BeautifulSoup(message_html("Saved.", "ok"), "html.parser").div
    assert ok["role"] == "status" and ok.get_text() == "Saved."  # only errors carry the word
    error = BeautifulSoup(message_html("<b>x</b>", "error"), "html.parser").div
    assert error.get_text() == "Error: <b>x</b>" and error.find("b") is None  # the text stays text

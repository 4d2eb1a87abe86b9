"""Every choice of every control draws every panel (issue 11, item 3).

For each page, every selectbox, radio and multiselect the page shows is tried with a bounded
sample of its options (the first three and the last: for the change point these are
"automatic", Oct 2015, Nov 2015 and the last month, the choices that used to blank the
indicators page), ending with its default, from which the next control is tried (one AppTest
per page). After each choice the page must show no exception and no error box.
"""

from __future__ import annotations

import pytest
from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Multiselect

from tests.conftest import ROOT
from tests.test_pages import PAGES as ALL_PAGES

# Every page but Upload (its controls need a file first; tests/test_ingest_page.py covers it).
PAGES = [page for page in ALL_PAGES if page != "pages/upload.py"]
KINDS = ("selectbox", "radio", "multiselect")
SIDEBAR = {"site", "role"}  # the shared filters: tried on the overview only


def _sample(options: list[str]) -> list[str]:
    return list(dict.fromkeys(options[:3] + options[-1:]))


def _problems(at: AppTest) -> list[str]:
    return [str(e.value) for e in at.exception] + [str(e.value) for e in at.error]


def _controls(at: AppTest, page: str) -> list[tuple[str, str, list]]:
    found = []
    for kind in KINDS:
        for widget in getattr(at, kind):
            if widget.key in SIDEBAR and page != "pages/overview.py":
                continue
            found.append((kind, widget.key, list(widget.options)))
    return found


def _shown(at: AppTest, kind: str, key: str) -> list[str]:
    """The labels a control shows as chosen."""
    widget = getattr(at, kind)(key=key)
    return list(widget.values) if kind == "multiselect" else [widget.options[widget.index]]


def _choices(kind: str, labels: list[str], default: list[str]) -> list[list[str]]:
    """Bounded label choices, each a list of shown labels (one for a single choice).

    The control's default comes last, so the page is back at its defaults afterwards and the
    next control is tried from there without starting a new AppTest.
    """
    if kind != "multiselect":
        sample = [[label] for label in _sample(labels)]
    else:
        sample = [[], labels[:1], labels[-1:], labels]
    return [choice for choice in sample if choice != default] + [default]


def choose(widget, labels: list[str]) -> None:
    """Choose options by their shown labels, as the browser does.

    AppTest's ``set_value`` takes an option's value, which a control with ``format_func``
    does not show; the browser sends the shown label, so the test sends that too.
    """
    state = WidgetState()
    state.id = widget.id
    if isinstance(widget, Multiselect):
        state.string_array_value.data[:] = labels
    else:
        state.string_value = labels[0]
    widget.__class__ = type(
        "Chosen" + type(widget).__name__,
        (type(widget),),
        {"_widget_state": property(lambda self: state)},
    )


def _fresh(page: str) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    at.switch_page(page).run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_option_of_every_control_draws_the_page(reading_app_env, page: str) -> None:
    at = _fresh(page)
    assert not _problems(at), _problems(at)
    controls = _controls(at, page)
    tried = []
    for kind, key, labels in controls:
        if key is None or not labels:
            continue
        default = _shown(at, kind, key)
        for labels_chosen in _choices(kind, labels, default):
            choose(getattr(at, kind)(key=key), labels_chosen)
            at.run()
            tried.append((key, labels_chosen))
            assert not _problems(at), (page, key, labels_chosen, _problems(at))
            now = _shown(at, kind, key)
            assert now == labels_chosen, (key, now, labels_chosen)  # the choice took effect
        if _controls(at, page) != controls:  # not quite back at the defaults: start afresh
            at = _fresh(page)
    if page in ("pages/indicators.py", "pages/professional.py", "pages/overview.py"):
        assert tried, "no control was tried"

"""Model > Evaluate on: where landscapes and lesion sweeps run their evaluations (this
process, a local Ray instance, or a Ray cluster), kept in the settings."""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QActionGroup
from PySide6.QtWidgets import QInputDialog, QLineEdit, QMenu

from explorer.ui.i18n import translate

#: the settings' key: "" (this process), "local", or a cluster's address
SETTINGS_KEY = "evaluations/ray"


def saved_executor(settings: Any) -> str | None:
    """The kept choice: None (this process), "local" or an address (a bad one: None)."""
    from explorer.runtime.executor import ExecutorError, check_address

    v = str(settings.value(SETTINGS_KEY, "") or "") if settings is not None else ""
    try:
        return check_address(v) if v else None
    except ExecutorError:
        return None


def add_executor_menu(menu: QMenu, win: Any) -> None:
    """The three choices, checkable; the kept one checked and given to the session."""
    menu.setToolTipsVisible(True)
    group = QActionGroup(menu)
    win.executor_actions = {}
    items = [
        ("", translate("Executor", "This process")),
        ("local", translate("Executor", "Local Ray instance (a worker per core)")),
        ("cluster", translate("Executor", "Ray cluster...")),
    ]
    for key, text in items:
        a = menu.addAction(text)
        a.setCheckable(True)
        group.addAction(a)
        win.executor_actions[key] = a
        a.triggered.connect(lambda _c=False, key=key: choose_executor(win, key))
    win.executor_actions["cluster"].setToolTip(
        translate("Executor", "A cluster started with 'ray start --head': ray://HOST:10001")
    )
    saved = saved_executor(win.settings)
    _show(win, saved)
    win.session.set_executor(saved)


def _show(win: Any, ray: str | None) -> None:
    key = "" if ray is None else ("local" if ray == "local" else "cluster")
    win.executor_actions[key].setChecked(True)
    if key == "cluster":
        win.executor_actions["cluster"].setText(
            translate("Executor", "Ray cluster: {address}").format(address=ray)
        )


def choose_executor(win: Any, key: str, address: str | None = None) -> bool:
    """Take a choice (``cluster``: ``address``, else asked for); a bad address or a missing
    Ray is said in one line and the choice before stays. True when taken."""
    from explorer.runtime.executor import ExecutorError, check_address, ray_module

    before = win.session.ray
    ray: str | None = None
    try:
        if key == "local":
            ray = "local"
        elif key == "cluster":
            if address is None:
                address, ok = QInputDialog.getText(
                    win,
                    translate("Executor", "Ray cluster"),
                    translate("Executor", "The cluster's address (ray://HOST:10001, HOST:6379):"),
                    QLineEdit.Normal,
                    before if before not in (None, "local") else "ray://",
                )
                if not ok:
                    _show(win, before)
                    return False
            ray = check_address(address)
        if ray is not None:
            ray_module()  # a missing Ray is said now, not at the first study
        win.session.set_executor(ray)
    except ExecutorError as exc:
        _show(win, before)
        win.say(str(exc))
        return False
    win.settings.setValue(SETTINGS_KEY, ray or "")
    _show(win, ray)
    where = {
        None: translate("Executor", "this process"),
        "local": translate("Executor", "a local Ray instance"),
    }.get(ray, ray)
    win.say(
        translate("Executor", "Landscapes and sweeps now evaluate on {where}").format(where=where)
    )
    return True

"""The window's languages: the catalogues up to date with the code and complete, the compiled
catalogue what lrelease makes of them, and the language chosen and kept."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from explorer.ui import i18n

TRANSLATED = [lang for lang in i18n.LANGUAGES if lang != i18n.SOURCE_LANGUAGE]


def messages(ts: Path) -> dict[tuple[str, str, str], ET.Element]:
    """(context, source, disambiguation) -> the message's translation element."""
    out = {}
    for ctx in ET.parse(ts).getroot().iter("context"):
        name = ctx.findtext("name") or ""
        for m in ctx.iter("message"):
            key = (name, m.findtext("source") or "", m.findtext("comment") or "")
            out[key] = m
    return out


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_up_to_date_with_the_code(tmp_path: Path, lang: str) -> None:
    """Extracting the code's messages again gives no new, changed or removed message."""
    committed = i18n.catalogue_path(lang, "ts")
    fresh = tmp_path / committed.name
    shutil.copy(committed, fresh)
    i18n.extract(fresh, lang)
    old, new = messages(committed), messages(fresh)
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    assert not added and not removed, (
        f"run `python -m explorer.ui.i18n` and translate: new {added[:10]}, gone {removed[:10]}"
    )


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete(lang: str) -> None:
    """Every message translated; a numerus message in each plural form; the placeholders a
    message fills ({name}, %n) kept in its translation."""
    unfinished, lost = [], []
    for (ctx, src, _), m in messages(i18n.catalogue_path(lang, "ts")).items():
        tr = m.find("translation")
        assert tr is not None
        forms = [f.text or "" for f in tr.iter("numerusform")] or [tr.text or ""]
        if tr.get("type") in ("unfinished", "vanished", "obsolete") or not all(forms):
            unfinished.append((ctx, src))
        want = set(re.findall(r"\{\w*\}|%n|%\d", src))
        for form in forms:
            if set(re.findall(r"\{\w*\}|%n|%\d", form)) != want:
                lost.append((ctx, src, form))
    assert not unfinished, f"{len(unfinished)} unfinished: {unfinished[:10]}"
    assert not lost, f"placeholders changed: {lost[:10]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_compiled_catalogue_is_the_catalogues(tmp_path: Path, lang: str) -> None:
    """The .qm that ships is what lrelease makes of the committed .ts."""
    qm = tmp_path / "out.qm"
    i18n.compile_catalogue(i18n.catalogue_path(lang, "ts"), qm)
    assert qm.read_bytes() == i18n.catalogue_path(lang).read_bytes(), (
        "run `python -m explorer.ui.i18n`"
    )


def test_window_languages_are_the_parsers() -> None:
    from explorer.ui.app import WINDOW_LANGUAGES, gui_parser

    assert set(WINDOW_LANGUAGES) == set(i18n.LANGUAGES)
    assert gui_parser().parse_args(["--lang", "ru"]).lang == "ru"
    with pytest.raises(SystemExit):
        gui_parser().parse_args(["--lang", "xx"])


def test_choice_order(settings, monkeypatch) -> None:
    """--lang first, then View > Language's saved choice, then the system's language."""
    monkeypatch.setattr(i18n, "system_language", lambda: "ru")
    assert i18n.choose_language(None, settings) == "ru"
    settings.setValue(i18n.SETTINGS_KEY, "en")
    assert i18n.choose_language(None, settings) == "en"
    assert i18n.choose_language("ru", settings) == "ru"
    settings.setValue(i18n.SETTINGS_KEY, "xx")  # a value this version does not know: ignored
    assert i18n.choose_language(None, settings) == "ru"


def test_language_menu_keeps_the_choice(qtbot, settings) -> None:
    from explorer.ui.main_window import MainWindow

    win = MainWindow(settings=settings)
    qtbot.addWidget(win)
    assert win.language_actions[""].isChecked()  # nothing chosen: the system's
    win.language_actions["ru"].trigger()
    assert settings.value(i18n.SETTINGS_KEY) == "ru"
    assert "next start" in win.status_label.text()
    win.close()
    again = MainWindow(settings=settings)
    qtbot.addWidget(again)
    assert again.language_actions["ru"].isChecked()
    assert not again.language_actions["en"].isChecked()
    again.language_actions[""].trigger()
    assert i18n.choose_language(None, settings) == i18n.system_language()


def test_install_translates_and_formats_numbers(qapp) -> None:
    try:
        assert i18n.install(qapp, "ru") == "ru"
        assert i18n.translate("Window", "Block graph") == "Граф блоков"
        assert i18n.number(1.5) == "1,5"
    finally:
        assert i18n.install(qapp, "en") == "en"
    assert i18n.translate("Window", "Block graph") == "Block graph"
    assert i18n.number(1.5) == "1.5"

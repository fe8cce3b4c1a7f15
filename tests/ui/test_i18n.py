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


def _texts_in(qapp, lang: str, make) -> list[tuple[str, str]]:  # noqa: ANN001
    from widget_texts import widget_texts

    i18n.install(qapp, lang)
    try:
        return widget_texts(make())
    finally:
        i18n.install(qapp, i18n.SOURCE_LANGUAGE)


def test_every_widget_text_differs_in_russian(qtbot, qapp, tmp_path: Path) -> None:
    """The main window, its panels, the Compare view and the side-by-side view, the draw
    pad and the training curves: every text a user reads differs between English and
    Russian, but for names (networks, devices, formats, the papers' notation) and numbers."""
    from PySide6.QtCore import QSettings
    from widget_texts import NAMES, untranslated

    from explorer.models.registry import model_names
    from explorer.ui.curves_dialog import CurvesDialog
    from explorer.ui.draw_pad import DrawPad
    from explorer.ui.main_window import MainWindow

    def window():  # noqa: ANN202
        ini = tmp_path / f"{len(list(tmp_path.iterdir()))}.ini"
        win = MainWindow(settings=QSettings(str(ini), QSettings.IniFormat))
        qtbot.addWidget(win)
        win.show_compare()
        win.show_side_by_side()
        win.show_graph()
        win.run.open_draw_pad()
        return win

    def curves():  # noqa: ANN202
        dlg = CurvesDialog()
        qtbot.addWidget(dlg)
        return dlg

    def pad():  # noqa: ANN202
        p = DrawPad()
        qtbot.addWidget(p)
        return p

    names = NAMES | set(model_names())
    for make in (window, curves, pad):
        en, ru = _texts_in(qapp, "en", make), _texts_in(qapp, "ru", make)
        assert len(en) > 20 or make is not window
        bad = untranslated(en, ru, names)
        assert not bad, f"{len(bad)} texts the same in Russian: {bad[:15]}"


def test_graph_labels_in_russian(qapp) -> None:
    """The core's slide labels keep their numbers and names; their words are translated."""
    from explorer.ui.label_words import KIND_NAMES, kind_name, label_text

    cases = {
        "3x3 conv, 128, /2": "3x3 свёртка, 128, /2",
        "3x3 max pool, /2": "3x3 макс-пулинг, /2",
        "global avg pool": "глоб. ср. пулинг",
        "FC 4096": "полносв. 4096",
        "layer1: 3 residual blocks, 64 ch": "layer1: остаточный блок ×3, 64 кан.",
        "residual: 1x1 64, 3x3 64, 1x1 256 + proj": "остаточный: 1x1 64, 3x3 64, 1x1 256 + проекц.",
        "Inception 3a: 1x1 64 | 3x3 128 | pool 32": "Inception 3a: 1x1 64 | 3x3 128 | пулинг 32",
        "56x56, 256 ch": "56x56, 256 кан.",
        "BN → ReLU → 3x3 conv, 64": "BN → ReLU → 3x3 свёртка, 64",
        "features.conv: 4 convs, 64 ch": "features.conv: свёрток: 4, 64 кан.",
    }
    assert all(label_text(en) == en for en in cases)  # English as the core writes it
    i18n.install(qapp, "ru")
    try:
        assert {en: label_text(en) for en in cases} == cases
        same = {k for k in KIND_NAMES if kind_name(k) == k}
        assert same <= {"inception", "highway"}  # the papers' names
    finally:
        i18n.install(qapp, i18n.SOURCE_LANGUAGE)


def test_fusion_step_texts_are_in_the_catalogue() -> None:
    """Every text the core's fusion steps pass through the window's translation is one the
    catalogue knows (a text changed in the core and not here would stay English)."""
    import torch

    from explorer.models.registry import get
    from explorer.present.fusion_steps import merge_steps
    from explorer.studies.fusion.pictures import block_kernels
    from explorer.studies.fusion.repvgg import calibrate_bn
    from explorer.ui.fusion_card import STEP_TEXTS

    torch.manual_seed(0)
    model = get("repvgg_small").build()
    calibrate_bn(model, n_batches=1, batch=4, size=32, seed=0, channels=1)
    model.eval()
    seen: list[str] = []

    def tr(text: str) -> str:
        seen.append(text)
        return text

    for q, m in model.named_modules():
        if hasattr(m, "conv_kxk") and m.conv_kxk.conv.in_channels > 1:
            merge_steps(block_kernels(m, q, 1, 1), tr=tr)
    merge_steps(None, tr=tr)
    assert seen and set(seen) <= set(STEP_TEXTS)


def test_core_messages_in_russian(qapp) -> None:
    """The core's progress and weights messages the status bar shows: known shapes are
    translated, anything else (an error's own words) stays as the core wrote it."""
    from explorer.ui.core_words import message, weights_label

    assert message("building resnet50") == "building resnet50"
    i18n.install(qapp, "ru")
    try:
        assert message("building resnet50") == "построение resnet50"
        assert message("3 block(s) deleted") == "удалено блоков: 3"
        assert message(
            "resnet56: bundled weights, trained by the project on digits (97.50 % test top-1)"
        ) == ("resnet56: встроенные веса, обученные проектом на цифрах (97.50 % top-1 на тесте)")
        assert message("a message of its own") == "a message of its own"
        assert weights_label("bundled (digits, 97.2 %)") == "встроенные (цифры, 97.2 %)"
        assert weights_label("resnet20-12fca82f.th") == "resnet20-12fca82f.th"
        from explorer.ui.core_words import caption

        landscape = (
            "resnet56: 11x11 over [-1, 1]²; 64 images of digits; 12.3 s; trained point: loss "
            "0.0213, top-1 99.7 %; largest second difference 0.5, 3 local minima"
        )
        assert caption(landscape) == (
            "resnet56: 11x11 на [-1, 1]²; 64 изобр. из digits; 12.3 с; обученная точка: потери "
            "0.0213, top-1 99.7 %; наибольшая вторая разность 0.5, локальных минимумов: 3"
        )
    finally:
        i18n.install(qapp, i18n.SOURCE_LANGUAGE)


def test_russian_window_fits_1280x720(qtbot, qapp, tmp_path: Path) -> None:
    """In Russian too, at 1280x720 with the hint and the red "untrained" badge shown, the
    window stays 1280 px wide and every toolbar entry is on screen or in a menu."""
    from PySide6.QtCore import QSettings
    from test_window_720 import LOAD_TIMEOUT, entries, menu_actions, on_screen

    from explorer.ui.main_window import MainWindow

    i18n.install(qapp, "ru")
    try:
        win = MainWindow(settings=QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
        qtbot.addWidget(win)
        win.resize(1400, 900)
        win.show()
        with qtbot.waitSignal(win.run.weightsLoaded, timeout=LOAD_TIMEOUT):
            win.load_model("resnet56")
        win.show_hint()
        win.run.badge_action.setVisible(True)
        win.resize(1280, 720)
        qtbot.waitUntil(lambda: win.width() == 1280)
        for _ in range(5):
            qapp.processEvents()
        assert win.width() == 1280
        menus = menu_actions(win)
        missing = [
            a.text() or type(tb.widgetForAction(a)).__name__
            for tb, a in entries(win)
            if not on_screen(tb, a) and (type(a).__name__ == "QWidgetAction" or a not in menus)
        ]
        assert missing == []
        for a in (win.act_fit, win.act_restore, win.fusion.act_deploy):
            assert on_screen(win.graph_toolbar, a), a.text()
    finally:
        i18n.install(qapp, i18n.SOURCE_LANGUAGE)


def test_side_by_side_lines_in_russian(qapp) -> None:
    from explorer.ui.side_by_side.view import _line_words

    line = (
        "layer1.0: residual: 3x3 16, 3x3 16  ·  out 16x32x32  ·  4,672 params  ·  0.00G MACs  ·  "
        "RF 7 px  ·  only here in this stage: skip connection"
    )
    assert _line_words(line) == line
    i18n.install(qapp, "ru")
    try:
        assert _line_words(line) == (
            "layer1.0: остаточный: 3x3 16, 3x3 16  ·  выход 16x32x32  ·  4,672 парам.  ·  "
            "0.00G MACs  ·  РП 7 пикс.  ·  только здесь в этой стадии: обходная связь"
        )
    finally:
        i18n.install(qapp, i18n.SOURCE_LANGUAGE)


def test_chart_tooltip_in_russian(qapp) -> None:
    from explorer.ui.compare.chart import tooltip_words

    tip = (
        "resnet50  (ResNet, 2015)\ntop-1 76.13 %   top-5 92.86 %\n"
        "original recipe (IMAGENET1K_V1), 224 px\nparameters 25,557,032\n4.09 GMACs at 224 px\n"
        "source: torchvision"
    )
    assert tooltip_words(tip) == tip
    i18n.install(qapp, "ru")
    try:
        assert tooltip_words(tip).splitlines()[2:] == [
            "исходный рецепт (IMAGENET1K_V1), 224 пикс.",
            "параметры 25,557,032",
            "4.09 GMAC при 224 пикс.",
            "источник: torchvision",
        ]
    finally:
        i18n.install(qapp, i18n.SOURCE_LANGUAGE)

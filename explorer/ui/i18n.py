"""The window's languages: Qt's translation system over the catalogues of ``resources/i18n``.

Every user-visible string of the window goes through ``self.tr()`` or
:func:`translate` (``QCoreApplication.translate`` under a name ``pyside6-lupdate`` knows).
The catalogues ``explorer/resources/i18n/cnn_explorer_LANG.ts`` are extracted from the code
with :func:`extract` (``python -m explorer.ui.i18n``), translated (Qt Linguist, or by hand),
and compiled with ``pyside6-lrelease`` into the ``.qm`` files that ship with the package.
English is the source language and needs no catalogue. The command line stays in English.

A language is chosen, first to last: ``--lang``; View > Language (kept in the settings);
the system's locale.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QLibraryInfo,
    QLocale,
    QTranslator,
)

__all__ = ["QT_TRANSLATE_NOOP", "translate", "number", "integer", "install"]

#: the window's languages, each named in itself (so a user finds their own in any language)
LANGUAGES = {"en": "English", "ru": "Русский"}
SOURCE_LANGUAGE = "en"
#: the settings' key of View > Language ("" or absent: the system's language)
SETTINGS_KEY = "language"
CATALOGUE = "cnn_explorer"
I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
UI_DIR = Path(__file__).resolve().parent

#: the name lupdate knows for QCoreApplication.translate(context, text, disambiguation, n)
translate = QCoreApplication.translate

_installed: list[QTranslator] = []
_current = SOURCE_LANGUAGE


def system_language() -> str:
    """The system locale's language when the window speaks it, else English."""
    for name in QLocale.system().uiLanguages() or [QLocale.system().name()]:
        code = name.replace("-", "_").split("_")[0].lower()
        if code in LANGUAGES:
            return code
    return SOURCE_LANGUAGE


def saved_language(settings: Any) -> str:
    """View > Language as kept in ``settings``: a language's code, or "" (the system's)."""
    v = settings.value(SETTINGS_KEY, "") if settings is not None else ""
    return str(v) if str(v) in LANGUAGES else ""


def choose_language(asked: str | None, settings: Any) -> str:
    """``--lang`` if given, else the saved choice, else the system's language."""
    if asked:
        return asked
    return saved_language(settings) or system_language()


def catalogue_path(lang: str, ext: str = "qm") -> Path:
    return I18N_DIR / f"{CATALOGUE}_{lang}.{ext}"


def install(app: QCoreApplication, lang: str) -> str:
    """Load ``lang``'s catalogue (and Qt's own, for its dialogs' buttons) into ``app``;
    numbers in prose follow the language's locale from now on. Returns the language
    installed (English when the catalogue is missing)."""
    global _current
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang != SOURCE_LANGUAGE:
        ours = QTranslator(app)
        if not ours.load(str(catalogue_path(lang))):
            lang = SOURCE_LANGUAGE
        else:
            app.installTranslator(ours)
            _installed.append(ours)
            qt = QTranslator(app)
            qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
            if qt.load(f"qtbase_{lang}", qt_dir):
                app.installTranslator(qt)
                _installed.append(qt)
    QLocale.setDefault(QLocale(lang if lang != SOURCE_LANGUAGE else "en_US"))
    _current = lang
    return lang


def current_language() -> str:
    return _current


def number(value: float, decimals: int = 1) -> str:
    """A number in prose, as the window's language writes it (``1.5`` / ``1,5``); tables
    meant for copying keep the program's plain notation."""
    return QLocale().toString(float(value), "f", decimals)


def integer(value: int) -> str:
    """A count in prose with the language's digit groups (``23,834,568`` / ``23 834 568``)."""
    return QLocale().toString(int(value))


# -- the catalogues: extraction and compilation (the developer's and the tests' tools) ------------


def qt_tool(name: str) -> str:
    """The path of ``pyside6-lupdate`` / ``pyside6-lrelease`` (the venv's, else the PATH's)."""
    here = Path(sys.executable).parent / f"pyside6-{name}"
    if here.exists():
        return str(here)
    found = shutil.which(f"pyside6-{name}")
    if found is None:
        raise FileNotFoundError(f"pyside6-{name} is not installed (PySide6 ships it)")
    return found


def sources() -> list[Path]:
    """Every module of the window, in a fixed order."""
    return sorted(UI_DIR.rglob("*.py"))


def extract(ts: Path, lang: str) -> None:
    """Extract the window's messages into ``ts`` (kept translations stay; no line numbers,
    so the catalogue changes only when a message does)."""
    root = UI_DIR.parents[1]
    cmd = [qt_tool("lupdate"), *(str(p.relative_to(root)) for p in sources())]
    cmd += ["-locations", "none", "-no-obsolete", "-source-language", SOURCE_LANGUAGE]
    cmd += ["-target-language", lang, "-silent", "-ts", str(ts)]
    subprocess.run(cmd, check=True, cwd=root, capture_output=True, text=True)


def compile_catalogue(ts: Path, qm: Path) -> None:
    cmd = [qt_tool("lrelease"), "-silent", str(ts), "-qm", str(qm)]
    subprocess.run(cmd, check=True, capture_output=True, text=True)


def main() -> None:
    """``python -m explorer.ui.i18n``: update every catalogue from the code and compile it."""
    for lang in LANGUAGES:
        if lang == SOURCE_LANGUAGE:
            continue
        ts = catalogue_path(lang, "ts")
        extract(ts, lang)
        compile_catalogue(ts, catalogue_path(lang))
        print(f"{ts.name}: updated and compiled")


if __name__ == "__main__":
    main()

"""The model browser: one click opens a network, Enter opens the best match, and exact and
prefix matches are listed first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from explorer.ui.browser import ModelBrowser


def shown_names(b: ModelBrowser) -> list[str]:
    """The networks the tree shows, top to bottom."""
    out = []
    for i in range(b.tree.topLevelItemCount()):
        g = b.tree.topLevelItem(i)
        if g.isHidden() or g is b.compare_item:
            continue
        out += [g.child(j).text(0) for j in range(g.childCount()) if not g.child(j).isHidden()]
    return out


def item_pos(b: ModelBrowser, name: str):
    it = b.items[name]
    b.tree.scrollToItem(it)
    return b.tree.visualItemRect(it).center()


def test_rank_exact_prefix_substring_description() -> None:
    r = ModelBrowser.rank
    assert r("resnet56", "resnet56", "ResNet", "") == 0
    assert r("resnet5", "resnet56", "ResNet", "") == 1
    assert r("net56", "resnet56", "ResNet", "") == 2
    assert r("resnet56", "plain56", "ResNet", "resnet56 without its shortcuts") == 4
    assert r("xyz", "plain56", "ResNet", "resnet56 without its shortcuts") is None


def test_search_lists_exact_match_first(qtbot) -> None:
    b = ModelBrowser()
    qtbot.addWidget(b)
    first = shown_names(b)
    b.search.setText("resnet56")
    names = shown_names(b)
    assert names[0] == "resnet56"
    assert "plain56" in names  # its description names resnet56: listed, after it
    assert b.best is b.items["resnet56"]
    assert b.tree.currentItem() is b.items["resnet56"]
    b.search.setText("resnet5")  # prefix matches before the rest
    names = shown_names(b)
    assert names[:2] == ["resnet50", "resnet56"], names
    b.search.setText("resnet")  # numbers read as numbers: resnet18 first, not resnet101
    names = shown_names(b)
    assert names[:3] == ["resnet18", "resnet20", "resnet34"], names
    assert b.best is b.items["resnet18"]
    b.search.setText("")  # as first listed again
    assert shown_names(b) == first
    assert all(not it.isHidden() for it in b.items.values())


def test_enter_in_search_opens_best_match(qtbot) -> None:
    b = ModelBrowser()
    qtbot.addWidget(b)
    b.show()
    b.search.setText("resnet56")
    with qtbot.waitSignal(b.modelChosen) as sig:
        QTest.keyClick(b.search, Qt.Key_Return)
    assert sig.args == ["resnet56"]
    b.search.setText("no such network")
    with qtbot.assertNotEmitted(b.modelChosen):
        QTest.keyClick(b.search, Qt.Key_Return)


def test_single_click_opens_once_double_click_too(qtbot) -> None:
    b = ModelBrowser()
    qtbot.addWidget(b)
    b.resize(300, 600)
    b.show()
    qtbot.waitExposed(b)
    got: list[str] = []
    b.modelChosen.connect(got.append)
    QTest.mouseClick(b.tree.viewport(), Qt.LeftButton, pos=item_pos(b, "lenet5"))
    assert got == ["lenet5"]
    QTest.mouseDClick(b.tree.viewport(), Qt.LeftButton, pos=item_pos(b, "alexnet"))
    QTest.mouseClick(b.tree.viewport(), Qt.LeftButton, pos=item_pos(b, "alexnet"))
    assert got == ["lenet5", "alexnet"]  # a double click opens it once
    # a family's heading opens nothing
    g = b.items["lenet5"].parent()
    QTest.mouseClick(b.tree.viewport(), Qt.LeftButton, pos=b.tree.visualItemRect(g).center())
    assert got == ["lenet5", "alexnet"]

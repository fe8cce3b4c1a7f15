"""Helpers shared by the zoo's family modules."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn


def tv_builder(name: str, **kwargs: Any) -> Callable[[], nn.Module]:
    """A builder for torchvision model ``name`` with random weights."""

    def build() -> nn.Module:
        from torchvision.models import get_model

        return get_model(name, weights=None, **kwargs)

    build.__qualname__ = f"tv_builder({name})"
    return build


def timm_builder(name: str, **kwargs: Any) -> Callable[[], nn.Module]:
    """A builder for timm model ``name`` with random weights (never downloads)."""

    def build() -> nn.Module:
        import timm

        return timm.create_model(name, pretrained=False, **kwargs)

    build.__qualname__ = f"timm_builder({name})"
    return build

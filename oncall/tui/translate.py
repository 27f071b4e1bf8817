"""Key bindings are declared with ``N_()`` descriptions and translated per instance."""

from __future__ import annotations

import dataclasses

from textual.binding import BindingsMap
from textual.dom import DOMNode

from ..i18n import _


def translate_bindings(node: DOMNode) -> None:
    """Give ``node`` its bindings with descriptions in the console's language."""
    node._bindings = BindingsMap.from_keys(
        {
            key: [
                dataclasses.replace(b, description=_(b.description), tooltip=_(b.tooltip))
                for b in bindings
            ]
            for key, bindings in node._bindings.key_to_bindings.items()
        }
    )

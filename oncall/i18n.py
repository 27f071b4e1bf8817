"""Every user-facing string of the console goes through gettext.

The language is the config file's ``language`` key, else the locale
(``LANGUAGE``, ``LC_ALL``, ``LC_MESSAGES``, ``LANG``, in that order), else
English. Catalogs ship in ``oncall/locale/<lang>/LC_MESSAGES/oncall.mo``::

    from oncall.i18n import _, N_
    _("New fault")          # translated now
    N_("New fault")         # only marked (class-level constants), translate when shown

``set_language`` switches the whole process (the console runs one language at
a time; tests switch between snapshots).
"""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping
from pathlib import Path

DOMAIN = "oncall"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "zh_CN")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = "en"


def normalize(value: str | None) -> str | None:
    """A locale or language name -> one of LANGUAGES, or None when it says nothing.

    ``zh_CN.UTF-8``, ``zh-CN``, ``zh_Hans``, ``zh`` -> ``zh_CN``; ``C``, ``POSIX``,
    ``en_US.UTF-8`` -> ``en``; an unknown language -> ``en``.
    """
    if not value:
        return None
    name = value.split(".")[0].split("@")[0].strip().replace("-", "_")
    if not name:
        return None
    if name in ("C", "POSIX"):
        return "en"
    lang = name.split("_")[0].lower()
    if lang == "zh":
        return "zh_CN"
    return "en"


def choose_language(configured: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """The console's language: the config's ``language``, else the locale, else English."""
    env = os.environ if env is None else env
    chosen = normalize(configured)
    if chosen:
        return chosen
    candidates = [
        (env.get("LANGUAGE") or "").split(":")[0],
        env.get("LC_ALL"),
        env.get("LC_MESSAGES"),
        env.get("LANG"),
    ]
    for value in candidates:
        chosen = normalize(value)
        if chosen:
            return chosen
    return "en"


def set_language(language: str) -> str:
    """Use ``language`` (one of LANGUAGES) for every later ``_()``; returns it."""
    global _translation, _language
    language = normalize(language) or "en"
    _translation = gettext.translation(
        DOMAIN, localedir=str(LOCALE_DIR), languages=[language], fallback=True
    )
    _language = language
    return language


def language() -> str:
    return _language


def _(message: str) -> str:
    """``message`` in the console's language."""
    return _translation.gettext(message) if message else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translation.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it yet."""
    return message

"""The full-screen console (Textual). Only this package and ``cli/console.py`` import Textual.

``OncallApp`` (app.py) is the entry; one module per screen or widget beside it.
"""

"""oncall: the duty engineer's console for a 24/7 support desk."""

__version__ = "0.1.0"

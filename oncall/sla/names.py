"""The SLA engine's fixed names, in a module of their own so that the command
line can offer them (``--channel``) without loading the engine."""

CHANNELS = ("phone", "electronic")
# The clocks a fault can run, in the order they are shown.
CLOCKS = ("respond", "resolve", "solution", "remote_fix", "onsite_escalation", "onsite_arrival")

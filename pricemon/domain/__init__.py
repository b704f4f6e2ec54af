"""The pure core: no I/O, no settings, no clock (callers pass `now`)."""

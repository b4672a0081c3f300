"""Hotline's core: feeds to contacts to alerts and answers.

Importing ``bot`` is cheap and loads no chat SDK, no scheduler and no HTTP client; each
module imports what it needs. Front-ends live in ``handlers/`` and import ``bot``, never the
other way round.
"""

__version__ = "0.1.0"
__all__ = ["__version__"]

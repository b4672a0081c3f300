"""Chat front-ends: each translates its platform's payloads to the core's ``IncomingMessage``
and renders the core's ``Reply`` and ``Alert`` in its own markup. Nothing else lives here.

``console`` (the embedded default), ``slack`` (slack-bolt) and ``matrix`` (matrix-nio) are
imported lazily by ``bot.app``; importing this package loads none of them.
"""

__all__: list[str] = []

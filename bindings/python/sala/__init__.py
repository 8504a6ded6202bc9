"""sala: webinar rooms from a pool of licensed Zoom hosts, from Python.

Everything lives in the private extension ``sala._sala``; this package
re-exports it. Conventions (see docs/python.md): datetimes are timezone-aware
in and out (naive ones raise ValueError, except a request's wall-clock start
given together with ``zone=``); zones are IANA names or ``zoneinfo.ZoneInfo``;
durations are int minutes or ``datetime.timedelta`` in, ``timedelta`` out;
enums are ``enum.Enum``; errors derive from ``sala.Error``.
"""

from . import _sala
from ._sala import *  # noqa: F401,F403

__all__ = sorted(name for name in vars(_sala) if not name.startswith("_"))
__version__ = "0.1.0"

# Show public classes as sala.X rather than sala._sala.X.
for _name in __all__:
    _obj = getattr(_sala, _name)
    if isinstance(_obj, type) and getattr(_obj, "__module__", None) == "sala._sala":
        try:
            _obj.__module__ = "sala"
        except (AttributeError, TypeError):  # pragma: no cover - immutable type
            pass
del _name, _obj

"""Hostile arguments and objects for the seeded fuzz (``test_hostile_fuzz.py``), and the
oracle that reads which exceptions a public method documents.

Every hostile object that raises raises :class:`HostileError` (an ``Exception``) or
:class:`HostileHalt` (a ``BaseException`` that is neither ``KeyboardInterrupt`` nor
``SystemExit``, so pytest never mistakes it for the user stopping the run).  Each raise
says whether the API may let it through (``propagates``):

- ``propagates=False``: a method the emulator has no business calling (a ``str``
  subclass's ``__eq__`` / ``__hash__`` / ``__str__`` / ``__repr__``, an int subclass's
  comparisons, an object's ``__bool__``, ...): ids and names are read as plain ``str``
  and JS truthiness never runs user code, so such an exception escaping is a bug; so is
  a listener's ``Exception`` escaping (the bus records it, R-E9);
- ``propagates=True``: the caller's own container cannot be read (a mapping whose
  ``items()`` raises), an action of ``emu.at`` raised (its docstring: it "comes out of
  the advance / run_until call that fired it") or a listener raised past ``Exception``
  ("[ours] R-E9": it propagates from the call that was delivering).

The generators take a :class:`random.Random` and return fresh values, so a seed replays
the same run; nothing here iterates a set or reads the clock.
"""

from __future__ import annotations

import inspect
import math
import random
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from rtm_emulator import ChannelType, ConfigError, Emulator, RtmError
from rtm_emulator._errors import SdkInvalidCharacterError, SdkTypeError

# --------------------------------------------------------------------- the raises


class HostileError(Exception):
    """Raised by a hostile object; ``propagates``: the API may let it through."""

    def __init__(self, where: str, *, propagates: bool) -> None:
        super().__init__(where)
        self.where = where
        self.propagates = propagates


class HostileHalt(BaseException):
    """A ``BaseException`` from a listener or an action (R-E9 "[ours]": it propagates)."""

    propagates = True


def _boom(where: str, propagates: bool = False) -> Any:
    def raiser(self: object, *args: object, **kwargs: object) -> Any:
        raise HostileError(f"{type(self).__name__}.{where}", propagates=propagates)

    return raiser


def safe_repr(value: object, limit: int = 160) -> str:
    """``repr(value)`` for failure messages: never raises, at most ``limit`` characters."""
    try:
        text = repr(value)
    except Exception:
        text = f"<{type(value).__name__} whose repr raises>"
    if not isinstance(text, str):  # pragma: no cover - repr() checks this itself
        text = f"<{type(value).__name__}>"
    return text if len(text) <= limit else f"{text[: limit - 12]}...<{len(text)} chars>"


# ------------------------------------------------------------------ str subclasses


class LyingStr(str):
    """Understates itself through its own methods (checks must not ask it)."""

    __slots__ = ()

    def encode(self, *args: Any, **kwargs: Any) -> bytes:
        return b"x"

    def __len__(self) -> int:
        return 1

    def isascii(self) -> bool:
        return True

    def startswith(self, *args: Any, **kwargs: Any) -> bool:
        return False

    def __repr__(self) -> str:
        return f"LyingStr({str.__repr__(self)[:60]})"


class Unstable(str):
    """A hash that changes on every call, an ``==`` that always says no, comparisons that
    raise: stored as it is, it would corrupt every index keyed by it."""

    __slots__ = ("_calls",)

    def __new__(cls, text: str) -> Unstable:
        self = super().__new__(cls, text)
        self._calls = 0
        return self

    def __hash__(self) -> int:
        self._calls += 1
        return self._calls

    def __eq__(self, other: object) -> bool:
        return False

    __ne__ = _boom("__ne__")
    __lt__ = _boom("__lt__")
    __le__ = _boom("__le__")
    __gt__ = _boom("__gt__")
    __ge__ = _boom("__ge__")

    def __repr__(self) -> str:
        return f"Unstable({str.__repr__(self)[:60]})"


class Masked(str):
    """A ``str`` whose every own method raises: only ``str.__str__`` reads it."""

    __slots__ = ()
    __str__ = _boom("__str__")
    __repr__ = _boom("__repr__")
    __format__ = _boom("__format__")
    __hash__ = _boom("__hash__")  # type: ignore[assignment]
    __eq__ = _boom("__eq__")  # type: ignore[assignment]
    __ne__ = _boom("__ne__")  # type: ignore[assignment]
    __lt__ = _boom("__lt__")
    __le__ = _boom("__le__")
    __gt__ = _boom("__gt__")
    __ge__ = _boom("__ge__")
    __len__ = _boom("__len__")
    __iter__ = _boom("__iter__")
    __getitem__ = _boom("__getitem__")
    __contains__ = _boom("__contains__")
    __add__ = _boom("__add__")
    __mod__ = _boom("__mod__")
    __bool__ = _boom("__bool__")
    encode = _boom("encode")
    startswith = _boom("startswith")
    endswith = _boom("endswith")
    isascii = _boom("isascii")
    isdigit = _boom("isdigit")
    isdecimal = _boom("isdecimal")
    strip = _boom("strip")
    lower = _boom("lower")
    upper = _boom("upper")
    split = _boom("split")
    join = _boom("join")
    replace = _boom("replace")


def describe_masked(value: Masked) -> str:
    return f"Masked({str.__repr__(str.__str__(value))[:60]})"


# --------------------------------------------------------------- number subclasses


class LyingInt(int):
    """An ``int`` whose comparisons, arithmetic and conversions raise."""

    __slots__ = ()
    __eq__ = _boom("__eq__")  # type: ignore[assignment]
    __ne__ = _boom("__ne__")  # type: ignore[assignment]
    __lt__ = _boom("__lt__")
    __le__ = _boom("__le__")
    __gt__ = _boom("__gt__")
    __ge__ = _boom("__ge__")
    __hash__ = _boom("__hash__")  # type: ignore[assignment]
    __bool__ = _boom("__bool__")
    __int__ = _boom("__int__")
    __index__ = _boom("__index__")
    __float__ = _boom("__float__")
    __round__ = _boom("__round__")
    __mul__ = _boom("__mul__")
    __rmul__ = _boom("__rmul__")
    __add__ = _boom("__add__")
    __radd__ = _boom("__radd__")
    __sub__ = _boom("__sub__")
    __neg__ = _boom("__neg__")
    __abs__ = _boom("__abs__")
    __repr__ = _boom("__repr__")
    __str__ = _boom("__str__")
    __format__ = _boom("__format__")


class LyingFloat(float):
    """A ``float`` whose comparisons, arithmetic and conversions raise."""

    __slots__ = ()
    __eq__ = _boom("__eq__")  # type: ignore[assignment]
    __ne__ = _boom("__ne__")  # type: ignore[assignment]
    __lt__ = _boom("__lt__")
    __le__ = _boom("__le__")
    __gt__ = _boom("__gt__")
    __ge__ = _boom("__ge__")
    __hash__ = _boom("__hash__")  # type: ignore[assignment]
    __bool__ = _boom("__bool__")
    __int__ = _boom("__int__")
    __float__ = _boom("__float__")
    __round__ = _boom("__round__")
    __mul__ = _boom("__mul__")
    __rmul__ = _boom("__rmul__")
    __add__ = _boom("__add__")
    __sub__ = _boom("__sub__")
    __neg__ = _boom("__neg__")
    __abs__ = _boom("__abs__")
    __repr__ = _boom("__repr__")
    __str__ = _boom("__str__")
    __format__ = _boom("__format__")


def describe_number(value: int | float) -> str:
    base = int.__repr__(value) if isinstance(value, int) else float.__repr__(value)
    return f"{type(value).__name__}({base})"


# ------------------------------------------------------------------- byte strings


class LyingBytes(bytes):
    """A ``bytes`` that understates its length and converts to something else: a
    message's size and content must be read from its stored bytes, not asked of it."""

    __slots__ = ()

    def __len__(self) -> int:
        return 1

    def __bytes__(self) -> bytes:
        return b"x"

    __eq__ = _boom("__eq__")  # type: ignore[assignment]
    __hash__ = _boom("__hash__")  # type: ignore[assignment]
    #: reading it as a sequence (``setState`` of an array, R-S3) reads the caller's
    #: container, as for a ``list`` subclass: that error may come out
    __iter__ = _boom("__iter__", True)
    __getitem__ = _boom("__getitem__", True)  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"LyingBytes({bytes.__len__(self)} bytes)"


def released_view() -> memoryview:
    """A ``memoryview`` whose buffer is released (reading it raises ``ValueError``)."""
    view = memoryview(b"abc")
    view.release()
    return view


# ------------------------------------------------------------------ other objects


class Booby:
    """An object every protocol of which raises (truthiness, length, iteration, ...)."""

    __bool__ = _boom("__bool__")
    __len__ = _boom("__len__")
    __iter__ = _boom("__iter__")
    __eq__ = _boom("__eq__")  # type: ignore[assignment]
    __ne__ = _boom("__ne__")  # type: ignore[assignment]
    __lt__ = _boom("__lt__")
    __hash__ = _boom("__hash__")  # type: ignore[assignment]
    __repr__ = _boom("__repr__")
    __str__ = _boom("__str__")
    __format__ = _boom("__format__")
    __index__ = _boom("__index__")
    __float__ = _boom("__float__")
    __getattr__ = _boom("__getattr__")


class RaisingMapping(Mapping[str, Any]):
    """A mapping that cannot be read: the caller's own error may come out."""

    items = _boom("items", True)
    keys = _boom("keys", True)
    values = _boom("values", True)
    get = _boom("get", True)
    __getitem__ = _boom("__getitem__", True)
    __iter__ = _boom("__iter__", True)
    __len__ = _boom("__len__", True)
    __contains__ = _boom("__contains__", True)

    def __repr__(self) -> str:
        return "RaisingMapping()"


class RaisingDict(dict[str, Any]):
    """A ``dict`` whose reading methods raise (the C-level storage still holds ``data``)."""

    items = _boom("items", True)
    keys = _boom("keys", True)
    values = _boom("values", True)
    get = _boom("get", True)
    __getitem__ = _boom("__getitem__", True)
    __iter__ = _boom("__iter__", True)
    __len__ = _boom("__len__", True)
    __contains__ = _boom("__contains__", True)

    def __repr__(self) -> str:
        return f"RaisingDict({dict.__repr__(self)[:60]})"


class ShapeShifter(Mapping[str, Any]):
    """A mapping that answers with ``first`` on its first read and ``later`` after."""

    def __init__(self, first: dict[str, Any], later: dict[str, Any]) -> None:
        self.first, self.later, self.reads = first, later, 0

    def _now(self) -> dict[str, Any]:
        self.reads += 1
        return self.first if self.reads == 1 else self.later

    def items(self) -> Any:
        return self._now().items()

    def keys(self) -> Any:
        return self._now().keys()

    def get(self, key: str, default: Any = None) -> Any:
        return self._now().get(key, default)

    def __getitem__(self, key: str) -> Any:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())

    def __contains__(self, key: object) -> bool:
        return key in self._now()

    def __repr__(self) -> str:
        return f"ShapeShifter({safe_repr(self.first, 50)} -> {safe_repr(self.later, 50)})"


class LyingDict(dict[str, Any]):
    """A ``dict`` whose ``items()`` / ``get`` show one thing while it holds another."""

    def items(self) -> Any:
        return {"seat": "3"}.items()

    def get(self, key: str, default: Any = None) -> Any:
        return {"withPresence": False, "beQuiet": True, "states": ["seat"]}.get(key, default)

    def __repr__(self) -> str:
        return f"LyingDict({dict.__repr__(self)[:60]})"


class TwoFaced(list[Any]):
    """A ``list`` that iterates as ``first`` once and as ``later`` after."""

    def __init__(self, first: list[Any], later: list[Any]) -> None:
        super().__init__(first)
        self.first, self.later, self.reads = first, later, 0

    def __iter__(self) -> Iterator[Any]:
        self.reads += 1
        return iter(self.first if self.reads == 1 else self.later)

    def __repr__(self) -> str:
        return f"TwoFaced({self.first!r} -> {safe_repr(self.later, 50)})"


class RaisingList(list[Any]):
    """A ``list`` that cannot be read."""

    __iter__ = _boom("__iter__", True)
    __len__ = _boom("__len__", True)
    __getitem__ = _boom("__getitem__", True)

    def __repr__(self) -> str:
        return "RaisingList()"


class EqBomb:
    """A callable (a listener) whose ``==`` and ``hash`` raise."""

    __eq__ = _boom("__eq__")  # type: ignore[assignment]
    __ne__ = _boom("__ne__")  # type: ignore[assignment]
    __hash__ = _boom("__hash__")  # type: ignore[assignment]

    def __call__(self, event: object) -> None:
        return None

    def __repr__(self) -> str:
        return "EqBomb()"


async def _never_awaited() -> None:
    """What a hostile coroutine argument is (closed by :meth:`Hostile.close`)."""


def nested_list(depth: int) -> list[Any]:
    """``[[[...]]]`` ``depth`` levels deep, built without recursion."""
    out: list[Any] = []
    for _ in range(depth):
        out = [out]
    return out


def cyclic_list() -> list[Any]:
    out: list[Any] = ["x"]
    out.append(out)
    return out


def cyclic_dict() -> dict[str, Any]:
    out: dict[str, Any] = {"a": 1}
    out["self"] = out
    return out


# -------------------------------------------------------------- the value factory


#: Valid names the fuzz world is made of (the snapshot watches them all).
USERS = ("alice", "bob", "carol", "dave", "null", "MESSAGE")
CHANNELS = ("room", "lobby", "stage", "null", "MESSAGE", "STREAM")
TYPES = ("MESSAGE", "STREAM")
#: Topic names: nine, one more than a client may join in a channel (R-M13).
TOPICS = ("news", "chat", "t1", "t2", "t3", "t4", "t5", "t6", "MESSAGE")
OTHER_APP = "0ther4pp" + "0" * 24


class Hostile:
    """Makes hostile Python values; remembers the coroutines it made, to close them."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.coroutines: list[Any] = []

    def close(self) -> None:
        """Close every coroutine handed out (so none is reported as never awaited)."""
        for coro in self.coroutines:
            coro.close()
        self.coroutines.clear()

    def name(self) -> str:
        """A valid name of the world, sometimes in a hostile ``str`` subclass."""
        rng = self.rng
        text = rng.choice(USERS + CHANNELS)
        return self.wrap(text)

    def wrap(self, text: str) -> Any:
        """``text`` as it is, or in a hostile ``str`` subclass / as a ``ChannelType``."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.55:
            return text
        if text in ("MESSAGE", "STREAM") and roll < 0.7:
            return ChannelType(text)
        return rng.choice((LyingStr, Unstable, Masked))(text)

    def value(self, depth: int = 0) -> Any:
        """Any hostile value (one of ~60 kinds)."""
        rng = self.rng
        kinds: list[Callable[[], Any]] = [
            lambda: None,
            lambda: True,
            lambda: False,
            lambda: 0,
            lambda: -1,
            lambda: rng.randint(-(2**70), 2**70),
            lambda: 2**63,
            lambda: -(2**63) - 1,
            lambda: 10**400,
            lambda: 1.5,
            lambda: math.nan,
            lambda: math.inf,
            lambda: -math.inf,
            lambda: -0.0,
            lambda: 1e308,
            lambda: LyingInt(rng.randint(0, 5)),
            lambda: LyingFloat(0.5),
            lambda: b"bytes",
            lambda: bytearray(b"room"),
            lambda: memoryview(b"view"),
            lambda: memoryview(b"wide").cast("H"),
            lambda: released_view(),
            lambda: LyingBytes(b"z" * rng.choice((3, 40, 1025, 40_000))),
            lambda: "",
            lambda: "\x00",
            lambda: "room\x00",
            lambda: "\ud800",
            lambda: "a\udfffb",
            lambda: "\ud83d\ude00",
            lambda: "x" * 10_000,
            lambda: "r" * 65,
            lambda: "_room",
            lambda: "caf\u00e9",
            lambda: "room\n",
            lambda: "USER",
            lambda: "message",
            lambda: ChannelType.MESSAGE,
            lambda: ChannelType.STREAM,
            lambda: self.name(),
            lambda: LyingStr("x" * 70),
            lambda: Unstable(rng.choice(CHANNELS)),
            lambda: Masked(rng.choice(USERS)),
            lambda: Masked("x" * 100),
            lambda: {},
            lambda: {1: "a"},
            lambda: {None: 1, "k": 2},
            lambda: {("t",): 1},
            lambda: {"k" * 40: "v"},
            lambda: {Unstable("seat"): Unstable("3")},
            lambda: {f"k{i}": "v" for i in range(33)},
            lambda: {"v": "x" * 20_000},
            lambda: {"seat": self.value(depth + 1) if depth < 2 else 1},
            lambda: RaisingMapping(),
            lambda: RaisingDict({"seat": "3"}),
            lambda: LyingDict({"k" * 70: "v" * 20_000}),
            lambda: ShapeShifter({"seat": "3"}, {"k" * 70: "v" * 20_000}),
            lambda: [],
            lambda: ["seat"],
            lambda: ["seat", "seat"],
            lambda: [self.value(depth + 1) if depth < 2 else None],
            lambda: ("seat",),
            lambda: {"seat"},
            lambda: frozenset({"a"}),
            lambda: (c for c in "ab"),
            lambda: iter(["seat"]),
            lambda: range(3),
            lambda: TwoFaced(["seat"], ["seat", "seat", "k" * 70]),
            lambda: RaisingList(),
            lambda: nested_list(rng.choice((70, 5_000))),
            lambda: cyclic_list(),
            lambda: cyclic_dict(),
            lambda: Booby(),
            lambda: object(),
            lambda: EqBomb(),
            lambda: self.coroutine(),
            lambda: _raise_error,
            lambda: _raise_halt,
            lambda: len,
            lambda: Emulator,
            lambda: RtmError,
            lambda: ConfigError.bad("fuzz", "a ConfigError as an argument"),
        ]
        return rng.choice(kinds)()

    def coroutine(self) -> Any:
        coro = _never_awaited()
        self.coroutines.append(coro)
        return coro


def _raise_error(*args: object) -> None:
    """A callable that raises an ``Exception`` (used as a listener: the bus records it)."""
    raise HostileError("listener or action raised", propagates=False)


def _raise_halt(*args: object) -> None:
    raise HostileHalt("listener or action halted")


def describe(value: object) -> str:
    """How a failure message shows a hostile value (never raises)."""
    if isinstance(value, Masked):
        return describe_masked(value)
    if isinstance(value, (LyingInt, LyingFloat)):
        return describe_number(value)
    if isinstance(value, Booby):
        return "Booby()"
    return safe_repr(value)


# ------------------------------------------------------------ JSON values (server)


class HostileJson:
    """Makes hostile JSON values for the server's frames."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def value(self, depth: int = 0) -> Any:
        rng = self.rng
        kinds: list[Callable[[], Any]] = [
            lambda: None,
            lambda: True,
            lambda: False,
            lambda: 0,
            lambda: -1,
            lambda: 2**63,
            lambda: 10**30,
            lambda: -(10**400),
            lambda: 0.5,
            lambda: -0.0,
            lambda: 1e308,
            lambda: 86_400.0001,
            lambda: "",
            lambda: "\x00",
            lambda: "\ud800",
            lambda: "x" * 10_000,
            lambda: "caf\u00e9",
            lambda: rng.choice(USERS + CHANNELS + TYPES),
            lambda: "USER",
            lambda: OTHER_APP,
            lambda: [],
            lambda: [self.value(depth + 1) if depth < 3 else 1],
            lambda: nested_list(rng.choice((10, 63, 70))),
            lambda: {},
            lambda: {"k": self.value(depth + 1) if depth < 3 else 1},
            lambda: {"": None, "\u00e9": [1]},
        ]
        return rng.choice(kinds)()


# --------------------------------------------------------- documented exceptions


#: A docstring's exception names -> the classes they admit.  ``TypeError`` and
#: ``ValueError`` in an SDK method's docstring are the R-X3 ones (the SDK's JS
#: exceptions), never a raw built-in; ``ConfigError`` is a ``ValueError`` too.
DOC_NAMES: dict[str, tuple[type[BaseException], ...]] = {
    "RtmError": (RtmError,),
    "ConfigError": (ConfigError,),
    "SdkTypeError": (SdkTypeError,),
    "TypeError": (SdkTypeError,),
    "SdkInvalidCharacterError": (SdkInvalidCharacterError,),
    "ValueError": (SdkInvalidCharacterError, ConfigError),
    "RuntimeError": (RuntimeError,),
}

_CODE = re.compile(r"-1\d{4}")
_REF_METH = re.compile(r"as\s+:meth:`(\w+)`")
_REF_DOTTED = re.compile(r"as\s+``(\w+)\.(\w+)``")
_ENTRY = re.compile(r"^(\s*)([A-Z]\w*): ")


class Documented:
    """What a method's docstring says it raises: classes, and the RtmError codes.

    ``codes`` is ``None`` when the RtmError entry names no code (any code goes).
    """

    def __init__(self, classes: tuple[type[BaseException], ...], codes: set[int] | None) -> None:
        self.classes = classes
        self.codes = codes

    def admits(self, exc: BaseException) -> bool:
        """Whether ``exc`` is one the docstring documents (class, and code if any)."""
        if not isinstance(exc, self.classes):
            return False
        if isinstance(exc, RtmError) and self.codes is not None:
            return int(exc.error_code) in self.codes
        return True

    def __repr__(self) -> str:
        names = [c.__name__ for c in self.classes]
        codes = sorted(self.codes) if self.codes is not None else "any"
        return f"Documented({names}, codes={codes})"


def raises_section(doc: str) -> str:
    """The text of a docstring's ``Raises:`` section ("" when it has none)."""
    lines = inspect.cleandoc(doc).splitlines()
    for i, line in enumerate(lines):
        if line.strip() == "Raises:":
            out = []
            for body in lines[i + 1 :]:
                if body.strip() and not body.startswith(" "):
                    break
                out.append(body)
            return "\n".join(out)
    return ""


def documented(
    func: Any, owners: Mapping[str, type], _seen: frozenset[str] = frozenset()
) -> Documented:
    """The exceptions ``func`` documents, following ``as :meth:`x``` (same class) and
    ``as ``Class.meth``` references (classes from ``owners``)."""
    doc = inspect.getdoc(func) or ""
    section = raises_section(doc)
    classes: list[type[BaseException]] = []
    codes: set[int] = {int(c) for c in _CODE.findall(section)}
    if "ConfigError" in section:
        codes.add(-10014)
    open_codes = False
    indent: int | None = None
    for line in section.splitlines():
        match = _ENTRY.match(line)
        if match is None:
            continue
        if indent is None:
            indent = len(match.group(1))
        if len(match.group(1)) != indent:
            continue
        name = match.group(2)
        classes.extend(DOC_NAMES.get(name, ()))
        if name == "RtmError":
            entry = line[match.end() :]
            if not _CODE.search(entry) and "as " not in entry:
                open_codes = True
    qual = getattr(func, "__qualname__", "")
    owner_name = qual.split(".")[0]
    refs = [(owner_name, m) for m in _REF_METH.findall(section)]
    refs += _REF_DOTTED.findall(section)
    for cls_name, meth in refs:
        key = f"{cls_name}.{meth}"
        owner = owners.get(cls_name)
        if owner is None or key in _seen or not hasattr(owner, meth):
            continue
        ref = documented(getattr(owner, meth), owners, _seen | {key, qual})
        classes.extend(ref.classes)
        if ref.codes is None:
            open_codes = True
        else:
            codes |= ref.codes
    unique = tuple(dict.fromkeys(classes))
    return Documented(unique, None if open_codes or (RtmError in unique and not codes) else codes)

"""Hypothesis strategies for property tests of code that talks to ``rtm_emulator``.

Hypothesis is an optional dependency (``pip install hypothesis``; from a clone,
``pip install -e ".[hypothesis]"`` or ``".[test]"``); ``import rtm_emulator`` never
imports it, only this module does.  A property test of the code under test, here a
view of who is online kept from presence events::

    from hypothesis import given
    from rtm_emulator import Emulator
    from rtm_emulator.strategies import presence_scripts, run_script

    class PresenceView:  # the code under test
        def __init__(self, client):
            self.users = {}
            client.add_event_listener("presence", self.on_presence)

        def on_presence(self, event):
            users = self.users.setdefault(event.channel_name, set())
            kind = event.event_type.value
            if kind == "SNAPSHOT":
                users.clear()
                users.update(u.user_id for u in event.snapshot)
            elif kind == "REMOTE_JOIN":
                users.add(event.publisher)
            elif kind in ("REMOTE_LEAVE", "REMOTE_TIMEOUT"):
                users.discard(event.publisher)

        def online(self, channel):
            return sorted(self.users.get(channel, ()))

    @given(presence_scripts(faults=False))  # no presence outage: no event is missed
    def test_my_presence_view_stays_in_sync(script):
        emu = Emulator()
        me = emu.user("me")
        view = PresenceView(me.client)  # listening before the subscribe: the SNAPSHOT too
        me.subscribe("room")
        run_script(emu, script)
        emu.run_until_idle()
        assert view.online("room") == emu.online_users("room", "MESSAGE")

(A view made after ``subscribe`` misses the SNAPSHOT, and the test fails on the empty
script.)  docs/testing.md, "Hypothesis strategies", says what each strategy generates.

The limits come from the package's own constants (the surface table's ``CONSTANTS``,
``rtm_emulator._surface``, and the reconnect back-off of ``rtm_emulator._link``), which
follow the SDK runtime (agora-rtm.js 2.3.0); the emulator-side actions of a script are
the table's control verbs.  The modules: ``_common`` (charset, text near a byte limit),
``_names`` (ids, names, types: R-C1), ``_states`` (state: R-S1, R-S3) and ``_scripts``
(scenarios: R-L4, R-S4, R-T3, R-T4, and messages: R-M1..R-M18).

The *valid* strategies (:func:`user_ids`, :func:`channel_names`, :func:`channel_types`,
:func:`state_keys`, :func:`state_values`, :func:`states`) only produce values the
emulator accepts, boundaries included: ids and names of 1 to 64 characters of the R-C1
charset (``"null"`` included), keys of up to 32 bytes, string values of up to 16384
UTF-8 bytes, any other JSON value (R-S1), 1 to 32 keys.  The *invalid* ones produce
values that are always rejected: :func:`invalid_user_ids` with -10006,
:func:`invalid_channel_names` with -10008, :func:`invalid_channel_types` with -10019,
and :func:`invalid_states` / :func:`invalid_state_removals` as ``(argument,
expected_error_code)`` pairs (R-S3).

:func:`presence_scripts` produces whole scenarios as lists of action tuples, and
:func:`run_script` plays one on an emulator through scripted users (``emu.user(...)``).
The strategy tracks a small model of each user while it draws (channel limits R-L4,
state cache R-S4, link state and reconnect retries R-T3 / R-T4, on the clock the script
itself advances), so it only produces **valid** scripts: played on a fresh emulator, no
action raises.  :func:`run_script` swallows nothing, so an ``RtmError`` out of it means
a script was not valid for the emulator it ran on (e.g. one whose ``max_channel_users``
is below the number of users), or a bug.

:func:`message_scripts` draws the same scenarios with messages in them: ``publish`` to
MESSAGE channels and to users (text and bytes, custom types, ``storeInHistory``), topic
joins, subscriptions, messages and leaves in stream channels, and ``history``
reads, equally valid (R-M1, R-M4, R-M10, R-M12..R-M18; the model's extra rules are in
its docstring).
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401  (the optional dependency: fail here, with the fix)
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    raise ImportError(
        "rtm_emulator.strategies needs Hypothesis, an optional dependency of rtm-emulator: "
        'pip install hypothesis (from a clone: pip install -e ".[hypothesis]")'
    ) from exc

from ._common import MAX_STATE_KEYS
from ._names import (
    channel_names,
    channel_types,
    invalid_channel_names,
    invalid_channel_types,
    invalid_user_ids,
    user_ids,
)
from ._scripts import Action, message_scripts, presence_scripts, run_script
from ._states import invalid_state_removals, invalid_states, state_keys, state_values, states

__all__ = [
    "MAX_STATE_KEYS",
    "Action",
    "channel_names",
    "channel_types",
    "invalid_channel_names",
    "invalid_channel_types",
    "invalid_state_removals",
    "invalid_states",
    "invalid_user_ids",
    "message_scripts",
    "presence_scripts",
    "run_script",
    "state_keys",
    "state_values",
    "states",
    "user_ids",
]

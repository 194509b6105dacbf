"""Mistakes ``mypy --strict`` must catch: each line marked ``# error: [code]`` fails.

``tests/typing/test_user_typing.py`` checks that mypy reports exactly the marked lines,
with those error codes, and nothing else (so the test fails if the typing of listeners
or journals loosens until a mistake passes).  Never imported or run.
"""

from __future__ import annotations

from rtm_emulator import Emulator, LinkStateEvent, PresenceEvent


def on_link(event: LinkStateEvent) -> None:
    print(event.current_state)


def on_presence(event: PresenceEvent) -> None:
    print(event.publisher)


emu = Emulator()
client = emu.client("me")
client.add_event_listener("linkState", on_link)  # right
client.add_event_listener("presence", on_presence)  # right
client.add_event_listener("presence", on_link)  # error: [arg-type]
client.addEventListener("presence", on_link)  # error: [arg-type]
client.add_event_listener("linkState", on_presence)  # error: [arg-type]
client.remove_event_listener("presence", on_link)  # error: [arg-type]
client.removeEventListener("linkState", on_presence)  # error: [arg-type]
client.add_event_listener("message", on_presence)  # error: [arg-type]
client.add_event_listener("presence", lambda e: e.current_state)  # error: [attr-defined]

for _, event in emu.journal.filter(kind="linkState"):
    print(event.publisher)  # error: [attr-defined]
for _, event2 in emu.journal.filter(kind="presence"):
    print(event2.current_state)  # error: [attr-defined]
for _, event3 in emu.journal:
    print(event3.publisher)  # error: [union-attr]
by_recipient = emu.journal.filter(recipient="me")  # either kind
only: list[PresenceEvent] = [e for _, e in by_recipient]  # error: [misc]

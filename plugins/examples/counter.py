#!/usr/bin/env python3
"""counter.py: an example ze plugin in Python.

It counts the hub messages published under example/counter and answers
ze-example-counter-py:count with how many it saw, the label from its
config and the topic of the last message. A commit that sets its
veto-message is refused with that message; any other commit that changes
its config is applied (the label changes) without a restart. It is the Python twin of
plugins/examples/counter (Go).

Configure it as a path plugin:

    plugin { external counter-py { run /path/to/counter.py; } }

It connects back over TLS by default; with --stdio it speaks the protocol
on its standard input and output instead.
"""

import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
# zeplugin.py sits next to this file (ze plugin sdk python DIR) or in the
# source tree's plugins/sdk/python.
sys.path[:0] = [HERE, os.path.join(HERE, "..", "sdk", "python")]

import zeplugin  # noqa: E402

NAME = "counter-py"
MODULE = "ze-example-counter-py"
TOPIC = "example/counter"


def main(argv):
    with open(os.path.join(HERE, MODULE + ".yang"), encoding="utf-8") as f:
        yang = f.read()
    lock = threading.Lock()
    state = {"count": 0, "label": None, "last-topic": None}

    def configure(config):
        counter = config.get(MODULE + ":counter-py") or {}
        state["label"] = counter.get("label")

    def verify(config, _change):
        veto = (config.get(MODULE + ":counter-py") or {}).get("veto-message")
        if veto:
            raise ValueError(veto)

    def event(ev):
        with lock:
            state["count"] += 1
            state["last-topic"] = ev["topic"]

    def count(_params):
        with lock:
            return {k: v for k, v in state.items() if v is not None}

    p = zeplugin.connect_stdio() if "--stdio" in argv else zeplugin.connect()
    p.on_configure(configure)
    p.on_verify(verify)  # commits after ready; on_configure applies them
    p.on_event(event)
    p.handle(MODULE + ":count", count)
    p.run(name=NAME, version="1.0.0", yang=yang, topics=[TOPIC])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

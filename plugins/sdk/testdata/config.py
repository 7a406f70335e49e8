#!/usr/bin/env python3
"""A test plugin of zeplugin's commit callbacks: on_verify refuses a config
holding "veto", on_apply records what it is given (and fails on "fail");
ze-test-sdk:state returns the record."""

import os
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "python"))

import zeplugin  # noqa: E402

YANG = """module ze-test-sdk {
  yang-version 1.1;
  namespace "urn:ze:test:sdk";
  prefix ts;
  rpc state;
}"""


def main():
    lock = threading.Lock()
    log = []

    def configure(config):
        with lock:
            log.append("configure %s" % zeplugin._encode(config))

    def verify(config, change):
        if "veto" in zeplugin._encode(config):
            raise ValueError("python says no to revision %d" % change["revision"])

    def apply(config, change):
        with lock:
            log.append("apply %d %s %s" % (change["revision"], change["restore"], zeplugin._encode(config)))
        if "fail" in zeplugin._encode(config):
            raise RuntimeError("cannot")

    def state(_params):
        with lock:
            return {"log": list(log), "config": p.config}

    p = zeplugin.connect()
    p.on_configure(configure)
    p.on_verify(verify)
    p.on_apply(apply)
    p.handle("ze-test-sdk:state", state)
    p.run(name="sdk-config-py", yang=YANG)
    return 0


if __name__ == "__main__":
    sys.exit(main())

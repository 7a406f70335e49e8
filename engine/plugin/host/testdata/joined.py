#!/usr/bin/env python3
"""A path plugin whose YANG module ze does not ship (schema_test.go): it
declares the module named by JOINED_MODULE (default ze-test-joined), with a
leaf that has a default, and answers MODULE:state with every config it was
given (configure, then each config-apply)."""

import os
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "plugins", "sdk", "python"))

import zeplugin  # noqa: E402

MODULE = os.environ.get("JOINED_MODULE", "ze-test-joined")

YANG = """module %s {
  yang-version 1.1;
  namespace "urn:ze:test:%s";
  prefix tj;
  container %s {
    leaf label { type string; }
    leaf interval { type uint32; default "30"; }
  }
  rpc state;
}""" % (MODULE, MODULE, MODULE[len("ze-test-"):])


def main():
    lock = threading.Lock()
    configs = []

    def configure(config):
        with lock:
            configs.append(config)

    def state(_params):
        with lock:
            return {"configs": list(configs)}

    p = zeplugin.connect()
    p.on_configure(configure)
    p.handle(MODULE + ":state", state)
    p.run(name=os.environ.get("ZE_PLUGIN_NAME", "joined"), version="1.0.0", yang=YANG)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""zeplugin: write a ze plugin in Python, with the standard library only.

A plugin connects to the engine that started it, registers (its name,
version, YANG module, the hub topics it wants and the RPCs it serves),
takes its config, says it is ready and serves until the engine shuts it
down:

    import zeplugin

    p = zeplugin.connect()              # TLS + token, or stdio, as ze says
    p.on_configure(lambda config: ...)  # dict: the plugin's RFC 7951 subtree
    p.on_verify(lambda config, change: ...)  # a commit: raise to refuse it
    p.on_event(lambda event: ...)       # dict: topic, publisher, seq, data
    p.handle("ze-example:count", lambda params: {"count": 1})
    p.run(name="example", version="1.0.0", yang=open("ze-example.yang").read(),
          topics=["example/counter"])

The protocol is lines of '#<id> <verb> [<json>]' (docs/plugins.md). Each
request from the engine runs in its own thread, so a handler may call the
engine (call, publish). Events arrive in order: the engine sends the next
batch only once the previous one is answered.

In stdio mode standard output carries the protocol: connect() points
sys.stdout at standard error, so print() is safe.
"""

import json
import os
import socket
import ssl
import sys
import threading

__all__ = ["connect", "connect_stdio", "Plugin", "RemoteError"]

ENV_ADDR = "ZE_PLUGIN_HUB_ADDR"
ENV_TOKEN = "ZE_PLUGIN_HUB_TOKEN"
ENV_CA = "ZE_PLUGIN_HUB_CA"
ENV_NAME = "ZE_PLUGIN_NAME"
ENV_TRANSPORT = "ZE_PLUGIN_HUB_TRANSPORT"
SERVER_NAME = "ze-plugin-hub"

DECLARE_REGISTRATION = "ze-plugin-engine:declare-registration"
DECLARE_CAPABILITIES = "ze-plugin-engine:declare-capabilities"
READY = "ze-plugin-engine:ready"
PUBLISH = "ze-plugin-engine:publish"
AUTHENTICATE = "ze-plugin-engine:authenticate"
CONFIGURE = "ze-plugin-callback:configure"
SHARE_REGISTRY = "ze-plugin-callback:share-registry"
EVENT = "ze-plugin-callback:event"
SHUTDOWN = "ze-plugin-callback:shutdown"
CONFIG_VERIFY = "ze-plugin-callback:config-verify"
CONFIG_APPLY = "ze-plugin-callback:config-apply"


class RemoteError(Exception):
    """An error answer from the engine (or the plugin that served a call)."""

    def __init__(self, method, message):
        super().__init__("%s: %s" % (method, message))
        self.method = method
        self.message = message


class ConnectionLost(Exception):
    """The connection to the engine is closed."""


def _encode(obj):
    return json.dumps(obj, separators=(",", ":"))


def connect():
    """Connects as the environment ze gives a plugin says: stdio when
    ZE_PLUGIN_HUB_TRANSPORT is "stdio", otherwise TLS to
    ZE_PLUGIN_HUB_ADDR, trusting ZE_PLUGIN_HUB_CA and authenticated with
    ZE_PLUGIN_HUB_TOKEN. With neither, the program was not started by ze
    and connect() raises RuntimeError."""
    addr = os.environ.get(ENV_ADDR, "")
    if os.environ.get(ENV_TRANSPORT) == "stdio":
        return connect_stdio()
    if not addr:
        raise RuntimeError("neither %s nor %s=stdio in the environment: "
                           "plugins are started by ze" % (ENV_ADDR, ENV_TRANSPORT))
    return connect_tls(addr, os.environ.get(ENV_CA, ""), os.environ.get(ENV_TOKEN, ""),
                       os.environ.get(ENV_NAME, ""))


def connect_stdio():
    """Speaks on standard input and output, whatever the environment says
    (a plugin declares stdio by writing its registration there).

    The protocol keeps the two file descriptors to itself: from then on
    file descriptor 1 (print(), and anything a library writes there) goes to
    standard error, and file descriptor 0 reads /dev/null."""
    sys.stdout.flush()
    in_fd, out_fd = os.dup(0), os.dup(1)
    os.dup2(2, 1)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    return Plugin(_Lines(lambda: os.read(in_fd, 65536)), _FdWriter(out_fd), None)


def connect_tls(addr, ca_pem, token, name=""):
    """Connects to the plugin listener at host:port over TLS (1.3), trusting
    only ca_pem, and authenticates with token."""
    host, _, port = addr.rpartition(":")
    ctx = ssl.create_default_context(cadata=ca_pem)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    raw = socket.create_connection((host.strip("[]"), int(port)), timeout=30)
    sock = ctx.wrap_socket(raw, server_hostname=SERVER_NAME)
    params = {"token": token}
    if name:
        params["name"] = name
    sock.sendall(("#0 %s %s\n" % (AUTHENTICATE, _encode(params))).encode())
    rfile = _Lines(lambda: sock.recv(65536))
    line = rfile.readline()
    ident, verb, body = _parse(line)
    if verb != "ok":
        message = (body or {}).get("error", "no reason") if isinstance(body, dict) else "no reason"
        sock.close()
        raise ConnectionError("ze refused the connection: %s" % message)
    sock.settimeout(None)
    return Plugin(rfile, None, sock)


class _Lines:
    """Lines from a read function, without io's buffered reader: a daemon
    thread blocked in io's readline would hold its lock at interpreter
    exit, which Python treats as a fatal error."""

    def __init__(self, read):
        self._read = read
        self._buf = bytearray()

    def readline(self):
        start = 0
        while True:
            i = self._buf.find(b"\n", start)
            if i >= 0:
                line = bytes(self._buf[:i + 1])
                del self._buf[:i + 1]
                return line
            start = len(self._buf)
            try:
                chunk = self._read()
            except (OSError, ValueError):
                chunk = b""
            if not chunk:
                line = bytes(self._buf)
                self._buf.clear()
                return line
            self._buf += chunk


class _FdWriter:
    """Whole writes to a file descriptor."""

    def __init__(self, fd):
        self._fd = fd

    def write(self, data):
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def flush(self):
        pass

    def close(self):
        os.close(self._fd)


def _parse(line):
    """Splits '#<id> <verb> [<json>]' into (id, verb, object or None)."""
    if not line:
        raise ConnectionLost("connection closed")
    text = line.decode("utf-8").rstrip("\n")
    if not text.startswith("#"):
        raise ValueError("bad line %r: missing '#'" % text[:80])
    head, _, rest = text.partition(" ")
    verb, _, body = rest.partition(" ")
    return int(head[1:]), verb, (json.loads(body) if body else None)


class Plugin:
    """One plugin's end of the protocol. Set the callbacks and handlers
    before register()."""

    def __init__(self, rfile, wfile, sock):
        self._rfile = rfile
        self._wfile = wfile
        self._sock = sock
        self._wlock = threading.Lock()
        self._lock = threading.Lock()
        self._next_id = 0
        self._pending = {}
        self._handlers = {}
        self._on_configure = None
        self._on_verify = None
        self._on_apply = None
        self._on_event = None
        self._on_registry = None
        self._on_shutdown = None
        self._capabilities = None
        self.config = None
        self.registry = None
        self._config_error = None
        self._configured = threading.Event()
        self._shared = threading.Event()
        self._shutdown = threading.Event()
        self._closed = threading.Event()
        self._closing = False
        self._reader = threading.Thread(target=self._read_loop, name="zeplugin-reader", daemon=True)
        self._reader.start()

    # -- set up ---------------------------------------------------------

    def handle(self, method, fn):
        """Serves method ("module:rpc-name", declared in the YANG module):
        fn(params: dict) returns a dict (or None for a bare ok); an
        exception is sent back as the error."""
        self._handlers[method] = fn

    def on_configure(self, fn):
        """fn(config: dict) takes the plugin's config subtree in stage 2; an
        exception refuses it."""
        self._on_configure = fn

    def on_verify(self, fn):
        """fn(config: dict, change: dict) checks a commit that changes the
        plugin's subtree (after ready): config is the whole subtree as it
        would be, change {"revision", "restore"}. An exception refuses the
        commit; its message reaches the user. Without it, commits are
        accepted."""
        self._on_verify = fn

    def on_apply(self, fn):
        """fn(config: dict, change: dict) applies a commit that changes the
        plugin's subtree (a reconfiguration after ready); an exception fails
        the commit. Without it, the on_configure function takes the new
        config."""
        self._on_apply = fn

    def on_event(self, fn):
        """fn(event: dict) takes each message of the plugin's topics, in
        order: {"topic", "publisher", "seq", "data"} ("hex" for bytes that
        are not JSON)."""
        self._on_event = fn

    def on_registry(self, fn):
        """fn(plugins: list) takes the registry of all plugins in stage 4."""
        self._on_registry = fn

    def on_shutdown(self, fn):
        """fn(reason: str) runs when the engine stops the plugin."""
        self._on_shutdown = fn

    def set_capabilities(self, value):
        """What the plugin declares in stage 3 (any JSON value)."""
        self._capabilities = value

    # -- the stages -----------------------------------------------------

    def register(self, name, version="", yang="", topics=()):
        """Stage 1: declares the plugin. Returns once every plugin started
        with it has registered; raises RemoteError when refused."""
        params = {"name": name}
        if version:
            params["version"] = version
        if yang:
            params["yang"] = yang
        if topics:
            params["topics"] = list(topics)
        if self._handlers:
            params["rpcs"] = sorted(self._handlers)
        self.call(DECLARE_REGISTRATION, params)

    def ready(self, timeout=None):
        """Stages 2 to 5: waits for the config, declares the capabilities,
        waits for the registry, says ready."""
        self._wait(self._configured, timeout, "the config")
        if self._config_error is not None:
            raise RuntimeError("config refused: %s" % self._config_error)
        params = {} if self._capabilities is None else {"capabilities": self._capabilities}
        self.call(DECLARE_CAPABILITIES, params)
        self._wait(self._shared, timeout, "the registry")
        self.call(READY)

    def serve(self):
        """Serves until the engine shuts the plugin down (returns True) or
        the connection is lost (returns False)."""
        while not self._shutdown.is_set() and not self._closed.is_set():
            self._shutdown.wait(0.5)
        shut = self._shutdown.is_set()
        self.close()
        return shut

    def run(self, name, version="", yang="", topics=()):
        """register(), ready() and serve()."""
        self.register(name, version, yang, topics)
        self.ready()
        return self.serve()

    # -- calls ----------------------------------------------------------

    def call(self, method, params=None, timeout=None):
        """Calls the engine or another plugin's RPC; returns the result dict
        (None for a bare ok) or raises RemoteError."""
        done = threading.Event()
        slot = {}
        with self._lock:
            if self._closed.is_set():
                raise ConnectionLost("connection closed")
            self._next_id += 1
            ident = self._next_id
            self._pending[ident] = (method, done, slot)
        line = "#%d %s" % (ident, method)
        if params is not None:
            line += " " + _encode(params)
        self._write(line)
        if not done.wait(timeout):
            with self._lock:
                self._pending.pop(ident, None)
            raise TimeoutError("%s: no answer within %ss" % (method, timeout))
        if "error" in slot:
            raise slot["error"]
        return slot.get("result")

    def publish(self, topic, data):
        """Publishes data (any JSON value) on a hub topic."""
        self.call(PUBLISH, {"topic": topic, "data": data})

    def close(self):
        """Closes the connection."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self._closed.set()
        if self._sock is not None:
            # shutdown wakes the reader thread (its recv returns b"").
            for fn in (lambda: self._sock.shutdown(socket.SHUT_RDWR), self._sock.close):
                try:
                    fn()
                except OSError:
                    pass
            if threading.current_thread() is not self._reader:
                self._reader.join(1)
            return
        with self._wlock:
            try:
                self._wfile.close()
            except OSError:
                pass

    # -- internals ------------------------------------------------------

    def _wait(self, event, timeout, what):
        while not event.wait(0.2 if timeout is None else timeout):
            if self._closed.is_set():
                raise ConnectionLost("connection closed while waiting for %s" % what)
            if timeout is not None:
                raise TimeoutError("no %s within %ss" % (what, timeout))

    def _write(self, line):
        data = (line + "\n").encode("utf-8")
        with self._wlock:
            try:
                if self._sock is not None:
                    self._sock.sendall(data)
                else:
                    self._wfile.write(data)
            except (OSError, ValueError) as e:
                self._lost()
                raise ConnectionLost(str(e))

    def _lost(self):
        self._closed.set()
        with self._lock:
            pending, self._pending = self._pending, {}
        for method, done, slot in pending.values():
            slot["error"] = ConnectionLost("connection closed")
            done.set()

    def _read_loop(self):
        try:
            while True:
                line = self._rfile.readline()
                if not line:
                    break
                try:
                    ident, verb, body = _parse(line)
                except ValueError as e:
                    sys.stderr.write("zeplugin: %s\n" % e)
                    continue
                if verb in ("ok", "error"):
                    with self._lock:
                        entry = self._pending.pop(ident, None)
                    if entry is None:
                        continue
                    method, done, slot = entry
                    if verb == "ok":
                        slot["result"] = body
                    else:
                        slot["error"] = RemoteError(method, (body or {}).get("error", "no error message"))
                    done.set()
                else:
                    threading.Thread(target=self._serve_one, args=(ident, verb, body), daemon=True).start()
        except (OSError, ValueError):
            pass
        finally:
            self._lost()

    def _serve_one(self, ident, method, params):
        try:
            result = self._dispatch(method, params or {})
        except Exception as e:  # the error goes back to the engine
            line = "#%d error %s" % (ident, _encode({"error": str(e) or type(e).__name__}))
        else:
            line = "#%d ok" % ident if result is None else "#%d ok %s" % (ident, _encode(result))
        try:
            self._write(line)
        except ConnectionLost:
            pass
        if method == SHUTDOWN:
            self._shutdown.set()  # once the engine has its answer

    def _dispatch(self, method, params):
        if method == CONFIGURE:
            config = params.get("config") or {}
            try:
                if self._on_configure is not None:
                    self._on_configure(config)
            except Exception as e:
                self._config_error = e
                raise
            finally:
                self.config = config
                self._configured.set()
            return None
        if method in (CONFIG_VERIFY, CONFIG_APPLY):
            config = params.get("config") or {}
            change = {"revision": params.get("revision", 0), "restore": bool(params.get("restore"))}
            if method == CONFIG_VERIFY:
                if self._on_verify is not None:
                    self._on_verify(config, change)
                return None
            if self._on_apply is not None:
                self._on_apply(config, change)
            elif self._on_configure is not None:
                self._on_configure(config)
            self.config = config
            return None
        if method == SHARE_REGISTRY:
            self.registry = params.get("plugins", [])
            if self._on_registry is not None:
                self._on_registry(self.registry)
            self._shared.set()
            return None
        if method == EVENT:
            if self._on_event is not None:
                for event in params.get("events", []):
                    self._on_event(event)
            return None
        if method == SHUTDOWN:
            if self._on_shutdown is not None:
                self._on_shutdown(params.get("reason", ""))
            return None
        fn = self._handlers.get(method)
        if fn is None:
            raise LookupError("unknown method %s" % method)
        result = fn(params)
        if result is not None and not isinstance(result, dict):
            raise TypeError("%s: the result must be a dict" % method)
        return result

"""The server's life cycle (`server.daemon`, `server.verbosity`, `server.on_shutdown`):
what main() does around the receive loop, decided once for the templates.

Start: block the stop signals (so every thread the server makes inherits the mask), log to
slog2 (QNX 7+) or stderr, NAME_on_init(), attach, start the signal thread, daemonise unless
told to stay in the foreground. Stop (SIGTERM/SIGINT, in the signal thread only): detach
the path, answer held requests with ENODEV, NAME_on_shutdown(), stop the hardware, exit(0).
"""
from __future__ import annotations

from typing import List, Optional, Tuple

import msgspec

from rmgen import names, schema

STOP_SIGNALS = ("SIGTERM", "SIGINT")
RELEASE_ERROR = "ENODEV"           # what a held client gets when the server stops
FOREGROUND_FLAG, BACKGROUND_FLAG = "f", "d"
# NAME_log() levels -> slog2 severities (index: the level; larger levels log as the last)
SEVERITIES = ("SLOG2_ERROR", "SLOG2_INFO", "SLOG2_DEBUG1", "SLOG2_DEBUG2")


class Life(msgspec.Struct, frozen=True):
    daemon: bool                   # background by default (-f keeps it in front), else -d
    verbosity: int                 # starting -v count
    shutdown_hook: Optional[str]   # NAME_on_shutdown, when the spec asks for it

    signals: Tuple[str, ...] = STOP_SIGNALS
    severities: Tuple[str, ...] = SEVERITIES
    release_error: str = RELEASE_ERROR

    @property
    def default_flag_doc(self) -> str:
        """Which of -f/-d is the default, for the usage text."""
        return "background" if self.daemon else "foreground"


def build(spec: dict, prefix: str) -> Life:
    server = spec.get("server") or {}
    hook = names.hook(prefix, "shutdown") if server.get(
        "on_shutdown", schema.default("server", "on_shutdown")) else None
    return Life(server.get("daemon", schema.default("server", "daemon")),
                server.get("verbosity", schema.default("server", "verbosity")), hook)


def hooks(life: Life, dev_param: str, hook_type) -> List["Hook"]:
    """The shutdown hook, when there is one."""
    if life.shutdown_hook is None:
        return []
    return [hook_type(life.shutdown_hook, "event", (dev_param,),
                      "Called once when SIGTERM or SIGINT stops the server, with the device locked:\n"
                      "the path is detached and held requests are answered already. Put the\n"
                      "hardware in a safe state. Return EOK, or an errno value to have it logged\n"
                      "(the server exits with 0 either way).", "server shutdown")]

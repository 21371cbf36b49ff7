"""C names: whether a spec name may be used in C, and the C names derived from spec names.

The checks use these to reject names and collisions before the model exists; the model
should use the same functions so the two cannot disagree.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

C_KEYWORDS = frozenset("""
    auto break case char const continue default do double else enum extern float for goto
    if int long register return short signed sizeof static struct switch typedef union
    unsigned void volatile inline restrict _Bool _Complex _Imaginary _Alignas _Alignof
    _Atomic _Generic _Noreturn _Static_assert _Thread_local alignas alignof bool constexpr
    false nullptr static_assert thread_local true typeof typeof_unqual _BitInt _Decimal32
    _Decimal64 _Decimal128
""".split())

# Lower-case names the C library or POSIX define as macros or well-known globals.
LIBRARY_NAMES = frozenset("""
    main errno stdin stdout stderr assert offsetof setjmp longjmp va_arg va_start va_end
    va_copy va_list complex imaginary noreturn unix linux major minor makedev environ
""".split())

# QNX API prefixes; a device named like this would generate e.g. iofunc_open().
QNX_PREFIXES = frozenset("iofunc resmgr dispatch thread_pool pthread devctl dcmd msg name".split())


def identifier_problem(name: str, device: bool = False) -> Optional[Tuple[str, dict]]:
    """(diagnostic ID, template args) if `name` cannot be a spec name, else None."""
    if not IDENTIFIER.match(name):
        return "RM0020", {"name": name}
    if name in C_KEYWORDS:
        return "RM0021", {"name": name}
    if name.startswith("_"):
        return "RM0022", {"name": name, "why": "names starting with '_' belong to the C implementation"}
    if name.endswith("_t"):
        return "RM0022", {"name": name, "why": "the '_t' suffix is reserved for types by POSIX"}
    if name in LIBRARY_NAMES:
        return "RM0023", {"name": name, "what": "a C library name"}
    if device and name in QNX_PREFIXES:
        return "RM0023", {"name": name, "what": "a QNX API prefix"}
    return None


def macro(*parts: str) -> str:
    """An upper-case C macro name from spec names: macro('thermo', 'unit') == 'THERMO_UNIT'."""
    return "_".join(parts).upper()


def enum_constant(device: str, enum: str, value: str) -> str:
    """THERMO_UNIT_CELSIUS."""
    return macro(device, enum, value)


def dcmd_macro(device: str, devctl: str) -> str:
    """THERMO_DCMD_GET_SAMPLE."""
    return macro(device, "dcmd", devctl)


# Names of the generated code, by kind. The model builds its names with these and the
# collision check claims them all, so two spec names can never produce one C name.
def client_fn(device: str, devctl: str) -> str:
    """thermo_get_sample: the client library's function."""
    return f"{device}_{devctl}"


def hook(device: str, what: str) -> str:
    """thermo_on_get_sample: a function the user writes."""
    return f"{device}_on_{what}"


def handler(device: str, devctl: str) -> str:
    """thermo_dcmd_get_sample: the server's static handler of one command."""
    return f"{device}_dcmd_{devctl}"


def typedef(device: str, name: str) -> str:
    """thermo_sample_t."""
    return f"{device}_{name}_t"


def check_fn(device: str, struct: str) -> str:
    """thermo_check_config: validator of a struct received from clients."""
    return f"{device}_check_{struct}"


def valid_fn(device: str, enum: str) -> str:
    """thermo_unit_valid: membership test of an enum."""
    return f"{device}_{enum}_valid"


# Ordinary identifiers every generated tree defines, whatever the spec says.
FIXED_SUFFIXES = (
    ("open", "client function"), ("close", "client function"), ("read", "client function"),
    ("write", "client function"), ("devctl", "client helper"), ("on_init", "hook"),
    ("on_read", "hook"), ("on_write", "hook"), ("io_open", "handler"), ("io_read", "handler"),
    ("io_write", "handler"), ("io_lseek", "handler"), ("io_devctl", "handler"),
    ("io_notify", "handler"), ("io_close_dup", "handler"), ("ocb_calloc", "OCB allocator"),
    ("ocb_free", "OCB allocator"), ("log", "logging function"), ("verbose", "variable"),
    ("server_main", "host-test entry point"), ("dev", "device variable"), ("mount", "mount variable"),
    ("ocb_funcs", "OCB table"), ("connect_funcs", "function table"), ("io_funcs", "function table"),
    ("dev_t", "device type"), ("ocb_t", "open-file type"), ("options_t", "options type"),
    ("data_ready", "function"), ("io_unblock", "handler"), ("io_close_ocb", "handler"),
    ("rcvid_t", "rcvid type"), ("waiter_t", "waiter type"), ("qnx_count_t", "QNX count type"),
    ("qnx_status_t", "QNX status type"), ("qnx_nbytes_t", "QNX nbytes type"),
    ("dcmd_entry_t", "devctl table type"),
)
# struct/union/enum tags every generated tree defines.
FIXED_TAGS = (("dev", "device struct"), ("ocb", "open-file struct"), ("waiter", "waiter struct"))

"""C names: whether a spec name may be used in C, and the C names derived from spec names.

The checks use these to reject names and collisions before the model exists; the model
should use the same functions so the two cannot disagree.
"""
from __future__ import annotations

import re
from typing import Optional, Tuple

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

# --- The one list of names a spec may not use ------------------------------------------
# Every name rmgen emits is a spec name (a struct member, enum constant, state field) or
# starts with the device name (files NAME.h, functions NAME_x(), macros NAME_X). Each group
# below says which of the two it applies to, and where it comes from.

# Keywords of C89 (ISO/IEC 9899:1990 6.1.1), C99 and C11 (6.4.1), C23 (N3096 6.4.1), and
# the common extensions asm and fortran (C11 annex J.5.9, J.5.10).
C_KEYWORDS = frozenset("""
    auto break case char const continue default do double else enum extern float for goto
    if int long register return short signed sizeof static struct switch typedef union
    unsigned void volatile while inline restrict _Bool _Complex _Imaginary _Alignas _Alignof
    _Atomic _Generic _Noreturn _Static_assert _Thread_local alignas alignof bool constexpr
    false nullptr static_assert thread_local true typeof typeof_unqual _BitInt _Decimal32
    _Decimal64 _Decimal128 asm fortran
""".split())

# Lower-case object-like macros and globals a generated file can see, so no spec name may
# be one: the C library (C23 7.x: errno.h, stdio.h, assert.h, stddef.h, setjmp.h, stdarg.h,
# complex.h, stdnoreturn.h, iso646.h), POSIX (unistd.h environ; sys/sysmacros.h), the
# predefined macros of GNU modes (unix, linux, i386), and the members glibc and qnxhost
# define as macros, found with `gcc -dM -E` over every header the generated code includes
# (sys/stat.h st_*time, signal.h sa_*/si_*/sigev_*, sched.h, qnxhost's devctl.h).
LIBRARY_NAMES = frozenset("""
    main errno stdin stdout stderr assert offsetof setjmp longjmp va_arg va_start va_end
    va_copy va_list complex imaginary noreturn unix linux i386 major minor makedev environ
    and and_eq bitand bitor compl not not_eq or or_eq xor xor_eq
    st_atime st_mtime st_ctime sa_handler sa_sigaction sched_priority si_addr si_addr_lsb
    si_arch si_band si_call_addr si_fd si_int si_lower si_overrun si_pid si_pkey si_ptr
    si_status si_stime si_syscall si_timerid si_uid si_upper si_utime si_value sigev_code
    sigev_coid sigev_notify_attributes sigev_notify_function sigev_priority posix_devctl
""".split())

# Header names (device names only: public/NAME.h is found first by `#include <NAME.h>`
# with -Ipublic). The C standard headers (C23 7.1.2), the POSIX.1-2017 headers (XBD 13),
# the glibc headers the system headers include themselves, and QNX's top-level headers the
# generated code or a QNX build includes (devctl.h, share.h, ..., QNX SDP 7.1/8.0 docs).
HEADER_NAMES = frozenset("""
    assert complex ctype errno fenv float inttypes iso646 limits locale math setjmp signal
    stdalign stdarg stdatomic stdbit stdbool stdckdint stddef stdint stdio stdlib
    stdnoreturn string tgmath threads time uchar wchar wctype
    aio cpio dirent dlfcn fcntl fmtmsg fnmatch ftw glob grp iconv langinfo libgen monetary
    mqueue ndbm netdb nl_types poll pthread pwd regex sched search semaphore spawn strings
    stropts syslog tar termios trace ulimit unistd utime utmpx wordexp
    alloca byteswap endian features getopt malloc memory err error paths fuse
    devctl share process atomic gulliver login
""".split())

# Prefixes of the APIs a generated server calls (QNX resource-manager library, POSIX
# threads) and of the host runtime qnxhost (qh_*): device NAME gives NAME_open() etc.
API_PREFIXES = frozenset("iofunc resmgr dispatch thread_pool pthread devctl dcmd msg name qh qnxhost".split())

# Identifiers the generated code defines without the device prefix (static helpers of the
# server, client and host test; the test's macros). A device name that starts one of them
# (`test` for test_open_close, TEST_PATH) would collide; tests/test_names.py checks this
# list against the templates.
GENERATED_NAMES = frozenset("""
    CHECK COMBINE_MAX COMBINE_STAT_PART EVENT_WAIT_MS FUZZ_PATH IOFUNC_ATTR_T IOFUNC_OCB_T MAX_CONNS MAX_FDS MAX_OPS MSG_MAX
    NCOMMANDS NMESSAGES ON_HOST RAW_MAX REPLY_NS TEST_PATH THREAD_POOL_PARAM_T TSAN_BUILD
    as_group_member as_privileged as_self as_unprivileged attach_path attr_was_free build_combine
    build_msg build_devctl check_locked client_loop close_all
    dead_closes_now drop_abilities devctl_input devctl_msg devctl_output devctl_reply die_and_restart drain
    event_pulse report run_event_tests
    client_on_path init_paths notify_path open_at test_paths_concurrent test_paths_io_roles
    test_paths_open test_paths_share_state
    answer_held call_held dead_answers_now devctl_reply_held held_complete held_now held_wait
    held_hook_mode hold_devctl set_held_mode held_writes is_full set_full write_full writes_held
    test_client_dies_while_write_held test_full_holds_writers
    LIFE_WAIT_MS life_child life_detached life_fork life_pool_child life_reader life_report
    life_unblocked_threads life_log_child life_stderr_of test_log_verbosity test_pool_start_failure
    test_shutdown_on_sigterm
    feed_writer fill finding forcing held_requests hold init_attr init_funcs init_state
    io_start msg_input msg_len msg_output msg_reply notify_count notify_readiness one_op open_dev parse_number
    parse_options patience poll_dev read_as_dying_client read_exact read_held release_all
    release_waiters run run_command select_close_loop send_raw serve serve_readers
    serve_waiters serve_writers set_forcing take take_bytes usage write_once
    test_abilities_dropped test_msg_mid_combine test_msg_not_ours test_bad_command_line test_blocked_read_released test_client_dies_while_read_held
    test_concurrent_clients test_dup_close_orders test_dup_keeps_held_read test_full
    test_generic_devctl test_held_write_released test_lists_locked test_lseek_read_combine
    test_no_data test_offsets test_open_close test_open_modes test_poll_matches_read
    test_poll_matches_write test_select_races_close test_stream test_truncated_header
    test_unblock_before_hold test_unknown_command test_write_lies test_write_read
    test_zero_byte_read
""".split())

_GENERATED_SORTED = sorted(GENERATED_NAMES)  # the first clash reported is the same every run

# Members rmgen's device and open-file structs hold besides the state fields
# (resmgr_header.h.j2): a state or open_state field of the same name would repeat one.
DEVICE_MEMBERS = frozenset("attr notify buffer readers writers serving again held held_serving held_again hw paths".split())
OPEN_FILE_MEMBERS = frozenset("ocb".split())


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
    if device and name in API_PREFIXES:
        return "RM0023", {"name": name, "what": "a QNX API or runtime prefix"}
    if device and name in HEADER_NAMES:
        return "RM0023", {"name": name, "what": f"the system header <{name}.h>"}
    clash = device and next((g for g in _GENERATED_SORTED if g.lower().startswith(name + "_")), None)
    if clash:
        return "RM0023", {"name": name, "what": f"the generated code's own name {clash}"}
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
    ("rcvid_t", "rcvid type"), ("waiter_t", "waiter type"), ("room_ready", "function"),
    ("on_readable", "hook"), ("on_writable", "hook"), ("qnx_count_t", "QNX count type"),
    ("qnx_status_t", "QNX status type"), ("qnx_nbytes_t", "QNX nbytes type"),
    ("dcmd_entry_t", "devctl table type"), ("static_assert", "pre-C11 assert array"),
    ("io_msg", "handler"), ("msg_send", "client helper"),
    ("msg_reply_t", "message reply type"), ("cred_privileged", "function"),
    ("client_privileged", "function"),
    ("release_held", "function"), ("log_open", "logging function"),
    ("severity", "logging function"), ("slog", "slog2 buffer"), ("signals_block", "signal function"),
    ("signals_start", "signal function"), ("signal_thread", "signal thread"),
    ("exit_on_signal", "shutdown function"),
    ("dpp", "dispatch variable"), ("attach_id", "attach variable"), ("stop_signals", "signal set"),
)
# Macros every generated tree defines after the upper-cased device name (the headers'
# include guards, the public header's own, the server's sizes and pool figures).
FIXED_MACROS = (
    ("H_INCLUDED", "include guard"), ("CLIENT_H_INCLUDED", "include guard"),
    ("RESMGR_H_INCLUDED", "include guard"), ("HOOKS_H_INCLUDED", "include guard"),
    ("RMGEN_FORMAT", "format macro"), ("PATH", "path macro"), ("STATIC_ASSERT", "assert macro"),
    ("FILE_MODE", "mode macro"), ("MSG_MAX_SIZE", "size macro"), ("NPARTS_MAX", "size macro"),
    ("BUFFER_SIZE", "size macro"), ("READ_NBYTES", "message macro"), ("WRITE_NBYTES", "message macro"),
    ("POOL_LO_WATER", "pool macro"), ("POOL_HI_WATER", "pool macro"), ("POOL_INCREMENT", "pool macro"),
    ("POOL_MAXIMUM", "pool macro"), ("LOG_PAGES", "slog2 macro"),
)
# struct/union/enum tags every generated tree defines.
FIXED_TAGS = (("dev", "device struct"), ("ocb", "open-file struct"), ("waiter", "waiter struct"))

# --- Names a spec sets in full (`naming`: macro prefixes, enum constants, type names) ---
# They are not derived from the device name, so besides rmgen's own names they must stay
# clear of what the headers of the generated code define. tests/test_naming.py
# checks these lists against `gcc -dM -E` over those headers (qnxhost and the C library).

# Macro prefixes reserved by C (7.31 future directions: errno E*, signal SIG*/SIG_, locale
# LC_*, stdint INT*/UINT*, fenv FE_*, inttypes PRI/SCN, stdatomic ATOMIC_), by POSIX per
# header (XSH 2.2.2: fcntl F_ O_ S_, signal SA_ SI_ SS_ BUS_ CLD_ FPE_ ILL_ POLL_ SEGV_
# TRAP_, sys/mman MAP_ MCL_ MS_ PROT_ POSIX_, time CLOCK_ TIMER_, pthread PTHREAD_, sched
# SCHED_, stdint WCHAR_ WINT_ SIZE_ PTRDIFF_), glibc's own (MADV_ AT_ FD_ LOCK_ UTIME_
# SEEK_ L_ P_) and QNX's (resmgr, dispatch, pools, procmgr, devctl, kernel, slog2, secpol,
# and qnxhost's QH_).
SYSTEM_MACRO_PREFIXES = tuple("""
    SIG SA_ SI_ SS_ BUS_ CLD_ FPE_ ILL_ POLL_ SEGV_ TRAP_ F_ O_ S_ MAP_ MCL_ MS_ PROT_ MADV_
    POSIX_ CLOCK_ TIMER_ PTHREAD_ SCHED_ INT UINT WCHAR_ WINT_ SIZE_ PTRDIFF_ LC_ FE_ PRI SCN
    ATOMIC_ AT_ FD_ LOCK_ UTIME_ SEEK_ STDIN_ STDOUT_ STDERR_ EXIT_ L_ P_ DT_ POLL WAIT_ W_ IOFUNC_ RESMGR_
    DISPATCH_ POOL_ THREAD_POOL_ PROCMGR_ MSG_ DEVDIR_ DCMD_ALL_ NTO_ SLOG2_ SECPOL_ QH_ QNXHOST_
""".split())
# Upper-case macros of those headers that no prefix above covers (besides E[0-9A-Z]* and
# the *_MAX/*_MIN limits of limits.h, stdint.h and stdio.h).
SYSTEM_MACROS = frozenset("""
    ACCESSPERMS ALLPERMS BIG_ENDIAN BUFSIZ BYTE_ORDER CLOCKS_PER_SEC DEFFILEMODE EOF EOK
    FAPPEND FASYNC FFSYNC FNDELAY FNONBLOCK FP_XSTATE_MAGIC1 FP_XSTATE_MAGIC2
    FP_XSTATE_MAGIC2_SIZE GETIOVBASE GETIOVLEN LITTLE_ENDIAN MINSIGSTKSZ NFDBITS NGREG NSIG
    NULL PDP_ENDIAN R_OK SETIOV TIME_UTC W_OK X_OK NDEBUG CHAR_BIT MAX_CANON MAX_INPUT PIPE_BUF
    WCONTINUED WEXITED WEXITSTATUS WIFCONTINUED WIFEXITED WIFSIGNALED WIFSTOPPED WNOHANG WNOWAIT
    WSTOPPED WSTOPSIG WTERMSIG WUNTRACED WCOREDUMP WCOREFLAG DTTOIF IFTODT MAXNAMLEN
""".split())
# Type names (typedefs) of those headers: QNX's message and library prefixes, the
# <stdint.h> family, and the rest by name; then the struct/union tags they define.
SYSTEM_TYPE_PREFIXES = tuple("io_ iofunc_ resmgr_ dispatch_ thread_pool_ message_ pthread_ u_int slog2_ secpol_ qh_".split())
STDINT_TYPE = re.compile(r"^u?int(8|16|32|64|ptr|max|_least(8|16|32|64)|_fast(8|16|32|64))_t$")
SYSTEM_TYPES = frozenset("""
    blkcnt_t blksize_t caddr_t clock_t clockid_t cpu_set_t daddr_t dev_t div_t
    dupfd_handle_t fpos_t fpregset_t fsblkcnt_t fsfilcnt_t fsid_t gid_t greg_t gregset_t id_t
    ino_t iov_t key_t ldiv_t lldiv_t locale_t loff_t max_align_t mcontext_t mode_t nlink_t
    off_t pid_t ptrdiff_t quad_t u_quad_t rcvid_t register_t select_context_t name_attach_t
    sig_atomic_t sig_t sigevent_t siginfo_t sigset_t sigval_t size_t socklen_t ssize_t
    stack_t suseconds_t time_t timer_t ucontext_t uid_t useconds_t wchar_t va_list FILE
    idtype_t nfds_t
""".split())
SYSTEM_TAGS = frozenset("""
    drand48_data flock iovec iovec_qnx itimerspec random_data sched_param sigaction
    sigcontext sigevent sigstack sigval stat timespec timeval tm ucontext_t pthread_attr_t
    dirent pollfd rusage
""".split())


def system_name_problem(name: str, kind: str) -> Optional[str]:
    """Why a C name set in full (`kind`: macro, type or tag) clashes with the C library,
    POSIX or QNX, or None."""
    if kind == "macro":
        if re.match(r"E[0-9A-Z]", name):
            return "the <errno.h> E* names reserved by C"
        if name.endswith(("_MAX", "_MIN")):
            return "the *_MAX/*_MIN limits of <limits.h> and <stdint.h>"
        prefix = next((p for p in SYSTEM_MACRO_PREFIXES if name.startswith(p)), None)
        if prefix:
            return f"the {prefix}* names of the C library, POSIX or QNX headers"
        return "a macro of the C library, POSIX or QNX headers" if name in SYSTEM_MACROS else None
    if kind == "type":
        prefix = next((p for p in SYSTEM_TYPE_PREFIXES if name.startswith(p)), None)
        if prefix:
            return f"the {prefix}* types of the QNX headers"
        if name in SYSTEM_TYPES or STDINT_TYPE.match(name):
            return "a type of the C library, POSIX or QNX headers"
    if name in SYSTEM_TAGS or name in LIBRARY_NAMES or name.startswith(("qh_", "slog2_")):
        return "a name of the C library, POSIX or QNX headers"
    return None


def dcmd_prefix(device: str) -> str:
    """THERMO_DCMD_: the default prefix of the devctl command macros."""
    return macro(device, "dcmd") + "_"


def enum_prefix(device: str, enum: str) -> str:
    """THERMO_UNIT_: the default prefix of an enum's constants."""
    return macro(device, enum) + "_"

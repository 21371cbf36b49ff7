"""Diagnostics: one registry of stable IDs, and the collector every stage appends to.

A diagnostic is a value, never an exception. Stages add to a `Diagnostics` collector;
the CLI prints them once, sorted by (file, line, col, id), in the form

    spec.yaml:12:7: error[RM0026]: unknown type 'sampel'; did you mean 'sample'?
       12 |     out: sampel
          |          ^
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, List, Optional

import msgspec

ERROR = "error"
WARNING = "warning"
RETIRED = "retired"   # no longer reported; the ID stays registered so it is never reused


class Entry(msgspec.Struct, frozen=True):
    """One registered diagnostic: its ID, severity, message template and explanation."""

    id: str
    severity: str
    template: str
    explanation: str


def _registry(*entries: Entry) -> Dict[str, Entry]:
    return {e.id: e for e in entries}


REGISTRY: Dict[str, Entry] = _registry(
    # --- loading the file -----------------------------------------------------------
    Entry("RM0001", ERROR, "cannot read spec: {reason}",
          "The spec file could not be opened or read (it does not exist, is a directory, "
          "or permissions deny it). Check the path given on the command line."),
    Entry("RM0002", ERROR, "spec is {size} bytes; the limit is {limit} bytes (1 MiB)",
          "A device description is a few hundred lines at most. rmgen refuses files larger "
          "than 1 MiB so that a wrong path (a log, a binary) fails fast instead of being "
          "parsed."),
    Entry("RM0003", ERROR, "spec is not valid UTF-8 (byte 0x{byte:02x})",
          "Specs are UTF-8 text. The byte shown cannot start or continue a UTF-8 sequence; "
          "the file is probably binary or in a legacy encoding. Re-save it as UTF-8."),
    Entry("RM0004", ERROR, "YAML syntax error: {problem}",
          "The file is not well-formed YAML (or holds more than one document). The location "
          "is where the YAML parser gave up; the real mistake is often just before it, e.g. "
          "a missing ':' or inconsistent indentation."),
    Entry("RM0005", ERROR, "duplicate key '{key}' (first defined at line {line}, column {col})",
          "A mapping defines the same key twice. Plain YAML loaders silently keep the last "
          "one, which hides mistakes, so rmgen rejects it. Remove or rename one of them."),
    Entry("RM0006", ERROR, "YAML {what} are not supported in specs",
          "Anchors ('&name') and aliases ('*name') make a spec harder to read and allow "
          "exponential expansion ('billion laughs'). Write each value out where it is used."),
    Entry("RM0007", ERROR, "key {key} is {kind}, not a string; quote it",
          "Every key in a spec is a name. YAML reads unquoted keys such as 1, true, on, no "
          "or null as numbers, booleans or null; quote them if you really mean a name."),
    Entry("RM0008", ERROR, "spec is empty",
          "The file holds no YAML document. A spec starts with 'rmgen: 1' and a 'device:' "
          "section; `rmgen init NAME` writes a commented starter spec to begin from."),
    Entry("RM0009", ERROR, "YAML tag '{tag}' is not supported",
          "Specs use plain YAML values only: mappings, lists, strings, integers, booleans. "
          "Explicit tags such as '!!binary', '!!set' or custom '!tags' are rejected."),
    Entry("RM0010", ERROR, "spec is nested more than {limit} levels deep",
          "No valid spec nests deeper than a few levels. rmgen stops reading deeply nested "
          "input so that malformed or hostile files cannot exhaust the parser."),
    Entry("RM0011", ERROR, "number with {digits} digits is too large to read",
          "Integer literals longer than Python's safe conversion limit are refused. No spec "
          "value needs more than 20 digits."),
    # --- the schema -----------------------------------------------------------------
    Entry("RM0012", ERROR, "{message}",
          "The top-level key 'rmgen' gives the spec format version and must be the integer "
          "1. Only format 1 exists, so there is nothing to migrate: add 'rmgen: 1' as the "
          "first line. Future formats will be read by future rmgen versions, which will "
          "document how to migrate."),
    Entry("RM0013", ERROR, "unknown key '{key}' in {where}{hint}",
          "The spec format is closed: every key must be one the format defines for that "
          "section (`rmgen schema` prints them all, with a description of each). An unknown "
          "key is usually a typo, and the message suggests the closest known key; a key made "
          "of words usually comes from an unquoted ',' in a {...} mapping: quote that value."),
    Entry("RM0014", ERROR, "missing required key '{key}' in {where}",
          "This section needs the named key (e.g. device needs name, path and summary; a devctl "
          "needs name and code). `rmgen schema` lists what each section requires."),
    Entry("RM0015", ERROR, "{where} must be {expected}, not {actual}{hint}",
          "The value has the wrong YAML type, e.g. a list where a mapping is expected or a "
          "number where a string is expected. Unquoted YAML scalars are typed: 0660 is a "
          "number, \"0660\" a string; yes/no/on/off are booleans."),
    Entry("RM0016", ERROR, "{where} is {value}, outside {bounds}",
          "The number is outside the range the format allows for this key (e.g. a devctl "
          "code is 0..255, io.size 1..1048576, pool.maximum at most 1024)."),
    Entry("RM0017", ERROR, "{where} must be {allowed}; got {value}",
          "The key takes one value from a fixed list; the message shows the allowed values."),
    Entry("RM0018", ERROR, "{where} {value} is not {expected}",
          "The string does not have the required form, e.g. device.path must be an absolute "
          "path without a trailing '/', mode an octal string like \"0660\", a type a name "
          "like u32, char[16] or sample[4]."),
    Entry("RM0019", ERROR, "{where} {problem}",
          "The string or list is too short or too long: names and lists that must not be "
          "empty, or the 32-character limit on device.name."),
    # --- semantic checks ------------------------------------------------------------
    Entry("RM0020", ERROR, "'{name}' is not a valid name: use lower-case letters, digits and "
          "'_', starting with a letter",
          "Spec names become C identifiers (struct members, enum constants, function names). "
          "They must match [a-z_][a-z0-9_]* so that the generated C is predictable and "
          "upper-cased macro names cannot collide with each other."),
    Entry("RM0021", ERROR, "'{name}' is a C keyword",
          "Names become C identifiers, so they cannot be C keywords, including those added "
          "by C99, C11 and C23 (inline, restrict, bool, alignas, _Generic, ...)."),
    Entry("RM0022", ERROR, "'{name}' is a reserved C identifier ({why})",
          "The C standard reserves identifiers that start with '_' for the implementation, "
          "and POSIX reserves the '_t' suffix for types. rmgen rejects them so the generated "
          "code never clashes with system headers."),
    Entry("RM0023", ERROR, "'{name}' clashes with {what}",
          "The name is already used by the C library or the QNX API (e.g. main, errno, "
          "stdin, or a QNX prefix like iofunc or resmgr for the device name). Using it would "
          "shadow or redefine that symbol in the generated code."),
    Entry("RM0024", ERROR, "duplicate {what} '{name}' (first defined at line {line}, column {col})",
          "Names must be unique in their scope: fields in a struct, values in an enum, state "
          "fields, devctls, option flags, and type names (types and enums share one "
          "namespace)."),
    Entry("RM0025", ERROR, "{first} and {second} both become the C name {cname}",
          "Generated C names are spec names with the device name in front: enum constants and "
          "devctl macros upper-cased (THERMO_UNIT_CELSIUS, THERMO_DCMD_GET), types thermo_T_t, "
          "client functions thermo_CMD(), hooks thermo_on_CMD(), handlers thermo_dcmd_CMD(). "
          "rmgen also defines names of its own (thermo_open(), thermo_dev_t, thermo_on_init(), "
          "...). Two names that produce the same C name would not compile; rename one."),
    Entry("RM0026", ERROR, "unknown type '{name}'{hint}",
          "A type reference must be a built-in type (u8 u16 u32 u64 i8 i16 i32 i64 bool, "
          "char[N]), or the name of an enum or struct defined in this spec."),
    Entry("RM0027", ERROR, "struct '{name}' contains itself: {cycle}",
          "A struct cannot contain itself, directly or through other structs: its size "
          "would be infinite. Break the cycle (e.g. store an index instead of the struct)."),
    Entry("RM0028", ERROR, "devctl '{name}' payload is {size} bytes; the limit is {limit}",
          "The size of a devctl payload is encoded in 14 bits of the command number, so a "
          "payload (or the union of in and out when they differ) is at most 16383 bytes. "
          "Move bulk data to read()/write() or split the command."),
    Entry("RM0029", ERROR, "devctl '{name}' uses class {cls} code {code}, already used by '{other}'",
          "Each devctl command number is built from its class and code; two devctls with the "
          "same pair would be indistinguishable to the server."),
    Entry("RM0030", ERROR, "{what} is {value}, which does not fit {type} ({lo}..{hi})",
          "The number is outside the range of its C type: an enum value versus its base, a "
          "default/min/max versus the field type."),
    Entry("RM0031", ERROR, "min {min} is greater than max {max}",
          "A field's min must be less than or equal to its max."),
    Entry("RM0032", ERROR, "default {value} is outside min/max ({lo}..{hi})",
          "A state field's default must satisfy the same min/max bounds that input is "
          "checked against."),
    Entry("RM0033", ERROR, "a default is not allowed on a field of type {type}",
          "Defaults are allowed on integer, bool, enum and char[N] fields only. Struct and "
          "array fields are zero-initialised; set them in the init hook if needed."),
    Entry("RM0034", ERROR, "default for {type} must be {expected}, not {actual}",
          "An integer field takes an integer default, bool takes true/false, an enum field "
          "takes the name of one of its values, char[N] takes a string shorter than N bytes "
          "(room for the terminating NUL)."),
    Entry("RM0035", ERROR, "'{value}' is not a value of enum '{enum}'{hint}",
          "A default for an enum field names one of the enum's values (not its number)."),
    Entry("RM0036", ERROR, "{key} is only allowed on integer fields, not {type}",
          "min and max bound integer fields (and the elements of integer arrays). They have "
          "no meaning for bool, enum, char or struct fields."),
    Entry("RM0037", ERROR, "unknown state field '{name}'{hint}",
          "devctl 'state:' and server option 'state:' refer to a field of the top-level "
          "'state:' list by name."),
    Entry("RM0038", ERROR, "devctl '{name}' binds state field '{field}' of type {ftype}, but its "
          "{direction} type is {ptype}",
          "A devctl bound to a state field copies 'in' into it and/or returns it as 'out', so "
          "the field's type must be exactly the devctl's in/out type, and the devctl needs "
          "at least one of in/out."),
    Entry("RM0039", ERROR, "option -{flag} sets state field '{field}' of type {type}; options "
          "can only set integer or bool fields",
          "Command-line options are parsed as numbers (or as flags for bool fields), so the "
          "state field they set must be an integer or bool."),
    Entry("RM0040", ERROR, "option flag '-{flag}' is reserved ({why})",
          "Every generated server has -p PATH (registered path), -v (verbose) and -h (help); "
          "extra options must use other letters."),
    Entry("RM0041", ERROR, "io.{key} is not allowed with io.kind {kind}",
          "io.size only applies to kind buffer; io.blocking only to kind hook (your read "
          "hook decides when there is no data); io.access does not apply to kind none "
          "(no read/write at all)."),
    Entry("RM0042", ERROR, "io.kind buffer needs io.size",
          "A buffer device stores data in a fixed-capacity buffer; give its size in bytes "
          "(1..1048576)."),
    Entry("RM0043", ERROR, "server.pool is only allowed with server.threads pool",
          "Thread pool water marks only apply to a thread-pool server; with threads single "
          "(the default) they would be ignored, so rmgen rejects them."),
    Entry("RM0044", ERROR, "server.pool {problem}",
          "The pool needs lo_water <= hi_water <= maximum."),
    Entry("RM0045", ERROR, "mode \"{value}\" is above 0777",
          "device.mode holds permission bits only: an octal string from \"0000\" to \"0777\"."),
    Entry("RM0046", ERROR, "{problem}",
          "char needs a length (char[N]); array lengths are 1..16383."),
    Entry("RM0047", ERROR, "'{name}' is a built-in type name",
          "Types and enums cannot be named after a built-in type (u8 ... i64, bool, char)."),
    Entry("RM0048", RETIRED, "io.blocking needs a readable device, but io.access is write-only",
          "Retired: no longer reported. rmgen 0.1.0 refused io.blocking on a write-only "
          "device; now such a device holds writers while NAME_on_write() says EAGAIN (the "
          "device is full) until your code calls NAME_room_ready(), and select()/poll() ask "
          "NAME_on_writable() (the spec reference: Blocking devices)."),
    # --- writing the output ---------------------------------------------------------
    Entry("RM0050", ERROR, "output path {path} exists and is not a directory",
          "The device's output directory (-o DIR/<device name>, default next to the spec) "
          "is an existing file. Remove it or choose another -o."),
    Entry("RM0051", ERROR, "refusing to write into {path}: it is not empty and was not created by "
          "rmgen (use an empty directory, or --force)",
          "rmgen only writes into an empty or missing directory, or one it created before "
          "(it leaves a '.rmgen' stamp file there). This protects your files from a wrong "
          "-o. Pass --force if you really want to generate into that directory."),
    Entry("RM0052", ERROR, "cannot write {path}: {reason}",
          "Creating a directory or writing a file of the output failed; the reason is the "
          "operating system's error."),
    Entry("RM0053", WARNING, "{symbol}() is not defined ({purpose}); copy its stub from {stub}",
          "A user-owned file (created once, never overwritten) lacks a hook function the "
          "generated code calls, so the server will not link. Copy the generated stub into "
          "your file and fill it in."),
    Entry("RM0054", ERROR, "device '{name}' would be written to {path}, which {other} also writes",
          "Two specs on one command line would write the same output directory; give the "
          "devices different names or run them with different -o."),
    # --- more spec rules (frontend range RM0055-RM0079) -----------------------------
    Entry("RM0055", ERROR, "YAML tag '{tag}' does not fit the value '{value}'",
          "An explicit tag such as '!!int' or '!!bool' forces a type, and the value written "
          "after it is not of that type (e.g. '!!int one'). Drop the tag: plain values are "
          "typed by how they are written (1 is an integer, one a string)."),
    Entry("RM0056", ERROR, "struct '{name}' nests {depth} structs deep; the limit is {limit}",
          "A struct may contain structs that contain structs, down to a fixed depth (the "
          "limit in the message; the spec format reference lists every limit). Deeper nesting is never needed for a device "
          "protocol and would make validators and tests recurse without bound; flatten it."),
    Entry("RM0057", ERROR, "{count} devctl commands; the limit is {limit}",
          "A spec defines at most this many devctl commands (at most 256 per class: the code "
          "is 0..255). Split a device with more commands, or use fewer, wider ones."),
    Entry("RM0058", ERROR, "the spec's file name holds the character {char}, which the generated "
          "files cannot show",
          "Every generated file names the spec it came from (relative to the output folder). "
          "Control and bidirectional-formatting characters would break those lines, so a spec "
          "whose path holds one is refused: rename the file or folder."),
    Entry("RM0059", ERROR, "refusing to write through the symbolic link {path}",
          "rmgen never follows a symbolic link inside a generated tree: a linked folder or "
          "generated file could make it write outside the tree. Replace the link by a real "
          "folder (your own hooks file may be a link: rmgen only reads it)."),
    Entry("RM0060", ERROR, "another rmgen run holds {path}; gave up after waiting {seconds} s",
          "Runs on one output folder take turns (a lock on the folder), so that two runs "
          "never mix their trees. This run waited for the other one and gave up; run it "
          "again once the other has finished, or find the process holding the folder."),
    Entry("RM0061", WARNING, "removed {count} temporary file(s) left by an interrupted run",
          "A run that was killed leaves its staged files (.NAME.rmgen-new, .NAME.rmgen-old) "
          "or an unfinished journal (.rmgen-journal). The next run finishes a committed "
          "journal, then removes what is left; --check reports them without touching them."),
    # --- several paths: roles and devctl roles (RM0062-RM0071) -------------------------
    Entry("RM0062", ERROR, "devctl '{name}' names role '{role}', which no paths entry has{hint}",
          "devctl roles lists the roles (paths[].role) whose paths accept the command; each "
          "must be a role the top-level paths list defines."),
    Entry("RM0063", ERROR, "devctl '{name}' has roles, but the spec has no paths list",
          "Roles belong to paths: without a top-level 'paths' list the server registers one "
          "path, which takes every command. Add the paths, or drop the roles."),
    Entry("RM0064", ERROR, "role '{role}' would register {pathname}, which role '{other}' registers too",
          "Every path is attached once. Two roles whose name, numbers and 'under' produce "
          "the same path cannot both serve it: rename one or change its numbers."),
    Entry("RM0065", ERROR, "role '{role}' has access {access}, more than the device's io allows ({io})",
          "A path's access narrows what read() and write() may do there; it cannot allow "
          "what io.access (or io kind none) refuses on every path."),
    Entry("RM0066", ERROR, "io kind buffer cannot be shared by several paths",
          "A buffer device's size and data belong to its one attribute (attr.nbytes, "
          "positions, truncation on open). With paths, use io kind hook (each path's "
          "hooks see their path through ocb) or kind none."),
    Entry("RM0067", ERROR, "{count} {what}; the limit is {limit}",
          "One server attaches every path before its receive loop; the limits (256 paths, "
          "32 roles: a command's roles are bits of a 32-bit mask) keep the path table and "
          "the start-up small. Serve more with more servers."),
    Entry("RM0068", ERROR, "role '{role}' would register {pathname}, which is not a path name",
          "Under device.path (under: true) a path without a number needs a name that is a "
          "file name: not empty, '.' or '..'. Give a name, or a count."),
    Entry("RM0069", ERROR, "{who} needs the C name {cname}, which {other} already has",
          "Each role defines DEVICE_ROLE_ROLE and DEVICE_ROLE_COUNT/_FIRST/_PATH in the "
          "public header, and paths define the types DEVICE_path_t and DEVICE_role_t; "
          "rename the role, or the enum value, type or command with that name."),
    Entry("RM0070", ERROR, "role '{role}' has 'first' without 'count'",
          "first is the number of the first of count numbered instances; a role without a "
          "count registers one path without a number."),
    Entry("RM0071", ERROR, "io.blocking needs a path that can read, and no role can",
          "A blocking device holds reads until data arrives; when every role is write-only "
          "or none, nothing can ever be held or released. Let a role read, or drop blocking."),
    # --- naming: C names set in full (RM0072-RM0075) ----------------------------------
    Entry("RM0072", ERROR, "naming.{section} names '{name}', which is not {what} of this spec{hint}",
          "The naming section sets C names of enums and struct types by their spec names; "
          "each key must be an enum (naming.enums) or a struct type (naming.types) defined "
          "in the same spec."),
    Entry("RM0073", ERROR, "enum '{enum}' has no value '{value}'{hint}",
          "naming.enums.E.constants sets whole constant names by value name: each key must "
          "be the name of one of that enum's values."),
    Entry("RM0074", ERROR, "the C name {name} cannot be used: {why}",
          "A name set in the naming section (or made from a prefix set there) must be usable "
          "in C: not a keyword, and a type name ends in _t or holds an upper-case letter, so "
          "that it can never be one of the generated code's variables or parameters."),
    Entry("RM0075", ERROR, "the C name {name} clashes with {why}",
          "Names set in the naming section are not prefixed with the device name, so they "
          "must stay clear of the names the headers of the generated code define: the C "
          "library (E*, *_MAX, SIG*, ...), POSIX (O_*, S_*, CLOCK_*, ...) and QNX (IOFUNC_*, "
          "RESMGR_*, _IO_*, ...). The list is in generator/rmgen/names.py; pick another name "
          "or prefix."),
    # --- ux: --check, renamed devices, YAML quoting -------------------------------------
    Entry("RM0080", ERROR, "{symbol}() is not defined ({purpose}); copy its stub from {stub}",
          "Under --check a hook missing from your hooks file is an error, not the RM0053 "
          "warning: the tree would not link, so CI must not pass. Copy the generated stub "
          "into your file and fill it in; plain generation still only warns, because right "
          "after the spec grew the missing hook is the next thing you write."),
    Entry("RM0081", WARNING, "this spec now writes {new}/, but {old}/ was generated from it before "
          "and is left behind with your hooks ({hooks}); move your code into {new}/, then delete {old}/",
          "Renaming device.name changes the output directory and every C name, so rmgen writes "
          "a new tree; the old one still holds your hand-written hooks. rmgen finds the old "
          "tree by the spec path recorded in its '.rmgen' stamp. Copy your hook bodies into "
          "the new hooks file (the prefix changed, e.g. old_on_get becomes new_on_get) and "
          "delete the old directory; until then, --check fails (RM0082)."),
    Entry("RM0082", ERROR, "this spec now writes {new}/, but {old}/ was generated from it before "
          "and is left behind with your hooks ({hooks}); move your code into {new}/, then delete {old}/",
          "The --check form of RM0081: a renamed device whose old tree is still there (and "
          "probably still committed) fails the check, so the rename cannot slip through CI "
          "with the driver's logic in an orphaned folder."),
    Entry("RM0083", ERROR, "the value {value} holds ': ', which YAML reads as the start of a new "
          "key; quote the whole value: {key}: \"{text}\"",
          "In YAML a colon followed by a space (or, inside {...}, a comma) ends a plain, "
          "unquoted value. Text such as a doc line that contains ': ' must be quoted, with "
          "\"double\" or 'single' quotes around the whole value."),
    # --- rmgen compat: changes that break clients or servers built from the old spec ---
    Entry("RM0084", ERROR, "cannot read the old spec from git revision {rev}: {reason}",
          "`rmgen compat --against REV SPEC.yaml` reads the old version with `git show "
          "REV:./SPEC.yaml` in the spec's folder. The revision must exist and contain the "
          "file under the same path; a new spec has nothing to be compatible with."),
    Entry("RM0090", ERROR, "device path is now {new}, was {was} (at {old})",
          "Clients open the device by its path; programs built against the old spec open a "
          "path nobody serves any more. Keep the path, or let the server register both."),
    Entry("RM0091", ERROR, "device name is now '{new}', was '{was}' (at {old}): every C name of "
          "the client library changes",
          "The device name is the prefix of every generated C name (NAME_open(), NAME_get(), "
          "NAME_DCMD_*, NAME.h) and of the server's binary, so code written against the old "
          "names no longer compiles, and the generated tree moves (see RM0081)."),
    Entry("RM0092", ERROR, "devctl '{name}' ({macro} = {dcmd}) was removed (it was at {old}): "
          "clients that send it now get ENOTTY",
          "A command existing clients send must stay, with the same number and payload. "
          "Deprecate it in its doc instead, and have its hook return ENOTSUP if it no longer "
          "makes sense."),
    Entry("RM0093", ERROR, "devctl '{name}' is now {new}, was {was} (at {old}): the command "
          "number changed",
          "The class and code are part of the dcmd value a client sends; renumbering a "
          "command makes every existing client's request unknown (ENOTTY) or, worse, another "
          "command. Give new commands new codes instead."),
    Entry("RM0094", ERROR, "devctl '{name}' direction is now {new}, was {was} (at {old})",
          "The direction (__DION/__DIOT/__DIOF/__DIOTF: which of in/out exist) is encoded in "
          "the dcmd value and decides which bytes travel; adding or removing a payload is a "
          "new command, not a change of this one."),
    Entry("RM0095", ERROR, "devctl '{name}' {which} payload is now {new}, was {was} (at {old})",
          "The payload type and its size are part of the command: the size is encoded in the "
          "dcmd value and the type names the C struct clients fill in. A different type (even "
          "of the same size) or a new size breaks existing clients; add a new command instead."),
    Entry("RM0096", ERROR, "devctl '{name}' now needs the fd {new}, was {was} (at {old})",
          "A stricter open mode makes the server refuse (EPERM) clients that open the device "
          "as they did before. Loosening the access is compatible; tightening it is not."),
    Entry("RM0097", ERROR, "field '{name}' ({type}) of payload type '{struct}' was removed (it was "
          "at {old})",
          "Clients still fill in (or read) the field; removing it changes the struct's layout "
          "and size. Keep it, document it as unused, or add a new command with a new type."),
    Entry("RM0098", ERROR, "field '{name}' of payload type '{struct}' changed: {changes} (at {old})",
          "Each field's type, size and offset are the bytes both sides agree on. Retyping a "
          "field, or inserting, reordering or growing fields before it, moves the bytes; "
          "clients built before read and write the wrong ones. Narrowing what an input field "
          "accepts (a higher min, a lower max) makes the server refuse (EINVAL) values they "
          "send; widening it is compatible."),
    Entry("RM0099", ERROR, "value '{name}' of enum '{enum}' {what} (at {old})",
          "Enum values travel as numbers. A removed or renumbered value makes the server "
          "refuse (EINVAL) or misread what existing clients send. New values are compatible."),
    # --- custom messages and privileges -------------------------------------------------
    Entry("RM0100", ERROR, "message '{name}': subtype {subtype} is already used by message '{other}'",
          "The server tells messages apart by their subtype alone (after the manager id): "
          "each message needs its own number 0..65535."),
    Entry("RM0101", ERROR, "message '{name}': its {key} payload is {size} bytes, more than the "
          "{limit} a message may carry",
          "Replies are built in the server's receive buffer and inputs are copied to the "
          "stack, so message payloads have devctl's limit. Split the data, or use read() and "
          "write() for bulk transfers."),
    Entry("RM0102", ERROR, "security.group is set but no command or message is privileged",
          "The group only decides who may use commands and messages marked `privileged: "
          "true`; mark those that need it, or remove the group."),
    # --- rmgen compat: custom messages and privileges ------------------------------------
    Entry("RM0103", ERROR, "message '{name}' ({macro} = {subtype}) was removed (it was at {old})",
          "Clients built before still send it and would get ENOSYS. Keep it (its hook may "
          "return an error), or give the new protocol a new manager id."),
    Entry("RM0104", ERROR, "message '{name}' now has subtype {new}, was {was} (at {old})",
          "Clients send the subtype number they were built with: the server would take it "
          "for another message, or answer ENOSYS. Keep the number; add new messages instead."),
    Entry("RM0105", ERROR, "message '{name}': its {which} payload is now {new}, was {was} (at {old})",
          "The payload's bytes are what both sides agree on: a client built before sends or "
          "expects the old size and layout (EBADMSG, or misread data). Add a new message "
          "for the new payload."),
    Entry("RM0106", ERROR, "message '{name}' now needs the fd {new}, was {was} (at {old})",
          "A stricter open mode makes the server refuse (EPERM) clients that open the device "
          "as they did before. Loosening the access is compatible; tightening it is not."),
    Entry("RM0107", ERROR, "{what} '{name}' is now privileged (at {old})",
          "Unprivileged clients that used it get EPERM from now on. Make sure none does, or "
          "keep it open and add a privileged variant."),
    Entry("RM0108", ERROR, "the manager id of the custom messages is now {new}, was {was} (at {old})",
          "Every message a client built before sends carries the old manager id: the server "
          "would answer ENOSYS to all of them."),
    Entry("RM0109", ERROR, "the C name of {what} '{name}' is now {new}, was {was} (at {old})",
          "Client code spells the generated names (command macros, payload type names and struct "
          "or enum tags, enum constants), so code written against the old name no longer compiles. "
          "Keep the old name with the spec's `naming` section (devctl_prefix, types.NAME.type or "
          ".tag, enums.NAME.type, .tag, .prefix or .constants), or rename the clients with it."),
    Entry("RM0110", ERROR, "the {what} of '{name}' now takes its input {new}, was {was} (at {old})",
          "`naming.scalars` decides whether the client functions take a scalar input by value or "
          "through a pointer: calls written for the old signature no longer compile (or, with a "
          "cast, pass the wrong thing). Keep the old `scalars` setting, or update the callers."),
    # --- events: pulses, timers, interrupts, registers --------------------------------
    Entry("RM0120", ERROR, "timer '{name}' needs exactly one of period_ms and period_us ({given} given)",
          "A periodic timer has one period, in milliseconds (period_ms) or in microseconds "
          "(period_us); its -FLAG option, if any, takes the same unit."),
    Entry("RM0121", ERROR, "register window '{name}': {key} {value} is not a multiple of its "
          "access width ({nbytes} bytes)",
          "Registers are read and written width bits at a time at aligned offsets; an "
          "unaligned base or a size that is not a whole number of registers would make the "
          "accessors touch bytes outside the window or fault on strict-alignment CPUs."),
    Entry("RM0122", ERROR, "option flag '-{flag}' is already used by {other}",
          "Each command-line letter sets one thing: a server option, a timer's period or an "
          "interrupt's number. Pick another letter."),
    Entry("RM0123", ERROR, "{count} pulses, timers and interrupts need more pulse codes than the "
          "{avail} there are",
          "Each pulse, timer and interrupt gets its own pulse code between _PULSE_CODE_MINAVAIL "
          "(0) and _PULSE_CODE_MAXAVAIL (127); several timers or pulses can share one hook "
          "instead."),
    # --- held requests ----------------------------------------------------------------
    Entry("RM0124", ERROR, "devctl '{name}' is blocking but has no out payload",
          "A blocking devctl is held until the driver has its answer (NAME_CMD_ready() asks the "
          "hook again); the answer is its out payload. A command without one has nothing to "
          "wait for: give it an out type, or drop blocking."),
    Entry("RM0125", ERROR, "register window '{name}' is port I/O (kind: io), which has no 64-bit "
          "accesses",
          "Port I/O is read and written with in8/in16/in32 and out8/out16/out32; there is no "
          "64-bit port access. Use width 8, 16 or 32 (two 32-bit registers for a 64-bit "
          "value), or kind: memory for a memory-mapped window."),
)


class Location(msgspec.Struct, frozen=True):
    """Where a diagnostic points: a file and, if known, 1-based line/column and its text."""

    file: str
    line: int = 0
    col: int = 0
    source: str = ""


class Diagnostic(msgspec.Struct, frozen=True):
    id: str
    severity: str
    message: str
    location: Location

    def sort_key(self):
        loc = self.location
        return (loc.file, loc.line, loc.col, self.id, self.message)

    def render(self) -> str:
        """`file:line:col: severity[ID]: message`, then the source line and a caret."""
        loc = self.location
        where = loc.file + (f":{loc.line}:{loc.col}" if loc.line else "")
        text = f"{where}: {self.severity}[{self.id}]: {self.message}\n"
        if loc.line and loc.source:
            gutter = " " * len(str(loc.line))
            pad = "".join(c if c == "\t" else " " for c in loc.source[: loc.col - 1])
            text += f" {loc.line} | {loc.source}\n {gutter} | {pad}^\n"
        return text


class Diagnostics:
    """Collects diagnostics from every stage; prints them sorted."""

    def __init__(self) -> None:
        self._items: List[Diagnostic] = []

    def add(self, id: str, location: Location, **args: object) -> None:
        entry = REGISTRY[id]
        assert entry.severity != RETIRED, f"{id} is retired"
        self._items.append(Diagnostic(id, entry.severity, entry.template.format(**args), location))

    def extend(self, other: "Diagnostics", keep=None) -> None:
        """Add `other`'s diagnostics (those for which `keep(d)` is true, if given)."""
        self._items.extend(d for d in other._items if keep is None or keep(d))

    def __iter__(self):
        return iter(sorted(self._items, key=Diagnostic.sort_key))

    def __len__(self) -> int:
        return len(self._items)

    @property
    def has_errors(self) -> bool:
        return any(d.severity == ERROR for d in self._items)

    def render(self) -> str:
        return "".join(d.render() for d in self)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest candidate, or ''."""
    import difflib  # here only: a valid spec never needs it (~1 ms of every start)

    close = difflib.get_close_matches(word, sorted(set(candidates)), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def explain(id: str) -> Optional[str]:
    """The `rmgen --explain` text for `id` (case-insensitive), or None if unknown."""
    entry = REGISTRY.get(id.upper())
    if entry is None:
        return None
    return f"{entry.id} ({entry.severity}): {readable(entry.template)}\n\n{entry.explanation}\n"


def explain_list() -> str:
    """`rmgen --explain` without an ID: one line per diagnostic."""
    lines = [f"{e.id}  {e.severity:7}  {readable(e.template)}\n" for e in REGISTRY.values()]
    return "".join(lines) + "\n`rmgen --explain ID` explains one of them.\n"


def readable(template: str) -> str:
    """A message template for people: `{key}` shown as <key>, optional hints dropped, and
    a template that is one placeholder (the whole message varies) as `(varies)`."""
    text = re.sub(r"\{hint\}", "", template)
    if re.fullmatch(r"\{\w+\}", text):
        return "(the message varies; see below)"
    return re.sub(r"\{(\w+)(?::[^}]*)?\}", r"<\1>", text).replace("{{", "{").replace("}}", "}")

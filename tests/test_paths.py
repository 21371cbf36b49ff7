"""Several paths in one server besides the can example: numbered instances beside
device.path (/dev/ser1..ser4, from 1) with a control path whose role neither reads nor
writes, on a single-threaded hook device; and a device with enough commands for the
devctl table, whose role masks the table checks. Each generated round-trip test passes
under ASan+UBSan with the stub hooks; the model's names and paths are checked directly."""
from __future__ import annotations

import pytest
import yaml

from cbuild import generate, host_make, spec_copy, summary
from rmgen import model

SER = """\
rmgen: 1
device: {name: ser, path: /dev/ser, summary: Four serial ports and a control path}
io: {kind: hook, access: read-write}
paths:
  - {role: port, name: "", count: 4, first: 1, under: false, doc: The ports}
  - {role: ctl, name: ctl, under: false, access: none, mode: "0600", doc: Settings of all ports}
state:
  - {name: baud, type: u32, default: 115200}
devctl:
  - {name: get_baud, code: 1, out: u32, state: baud}
  - {name: set_baud, code: 2, in: u32, state: baud, roles: [ctl]}
  - {name: break_line, code: 3, access: write, roles: [port]}
"""


def table_spec() -> str:
    """io none, two roles, 34 commands (the table form), every third one for role b only."""
    cmds = [{"name": f"c{i}", "code": i, "out": "u32"} if i % 3 else
            {"name": f"c{i}", "code": i, "in": "u32", "roles": ["b"]} for i in range(34)]
    return yaml.safe_dump({"rmgen": 1, "device": {"name": "tab", "path": "/dev/tab", "summary": "Table"},
                           "paths": [{"role": "a", "count": 2}, {"role": "b"}], "devctl": cmds})


def test_model_of_instances():
    d = model.build(yaml.safe_load(SER), "ser.yaml")
    ps = d.paths
    assert [p.suffix for p in ps.paths] == ["1", "2", "3", "4", "ctl"]
    assert [p.index for p in ps.paths] == [1, 2, 3, 4, 0]
    assert [r.const for r in ps.roles] == ["SER_ROLE_PORT", "SER_ROLE_CTL"]
    assert ps.roles[1].io_bits == "0" and ps.roles[0].io_bits == "SER_PATH_READ | SER_PATH_WRITE"
    assert ps.test_path.suffix == "1"
    view = d.test_view
    assert [c.name for c in view.devctls] == ["get_baud", "break_line"]   # what a port takes
    assert d.shared_state.set_path.suffix == "ctl" and d.shared_state.get_path.suffix == "1"
    plain = yaml.safe_load(SER)
    del plain["paths"]
    for c in plain["devctl"]:
        c.pop("roles", None)
    assert model.build(plain, "s.yaml").paths is None            # one path: the output of before


@pytest.mark.parametrize("name,text", [("ser", SER), ("tab", table_spec())])
def test_paths_round_trip(name, text, tmp_path):
    spec = spec_copy(tmp_path / "spec", f"{name}.yaml", text)
    tree = generate(spec, tmp_path / "out")
    main = (tree / "server" / f"{name}_main.c").read_text()
    assert "resmgr_attach(dpp, &rattr, full," in main and f"{name}_lock_ocb" in main
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    passed, failed = summary(out)
    assert failed == 0 and "PASS paths_open" in out and "PASS paths_concurrent" in out, out[-3000:]
    if name == "ser":
        assert "PASS paths_io_roles" in out and "PASS paths_share_state" in out
        assert "PASS paths_set_baud_roles" in out and "PASS paths_break_line_roles" in out
    else:
        assert "static const tab_dcmd_entry_t commands[]" in (tree / "server" / "tab_io.c").read_text()
        assert "PASS paths_c0_roles" in out and "PASS paths_c33_roles" in out

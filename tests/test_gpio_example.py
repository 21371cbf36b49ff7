"""The gpio example: register window, interrupt-completed conversions, a polling timer and
a wake pulse, driven through the host runtime's event API under ASan+UBSan; and the
generated host test catches an interrupt handler that forgets to unmask."""
from __future__ import annotations

import subprocess

from cbuild import QNXHOST, REPO, example_build, host_make, summary
from test_host_roundtrip import planted

TREE = REPO / "examples" / "gpio"
SAN = ["-fsanitize=address,undefined", "-fno-sanitize-recover=all", "-fno-omit-frame-pointer"]


def test_gpio_events_drive_the_hooks(tmp_path):
    build = example_build(TREE)                                # driver objects and runtime
    exe = tmp_path / "gpio_events_test"
    cmd = ["cc", "-std=c11", "-g", "-O1", "-Wall", "-Wextra", "-Werror", "-D_DEFAULT_SOURCE", *SAN,
           "-isystem", str(QNXHOST / "include"), "-include", "qnxhost/redirect.h",
           "-I", str(TREE / "public"), "-o", str(exe), str(REPO / "tests" / "examples" / "gpio_events_test.c"),
           *(str(build / f"gpio_{o}.o") for o in ("main", "io", "hooks", "events", "client")),
           str(build / "qnxhost" / "libqnxhost.a"), "-lpthread"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=900)
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-3000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 40, out[-3000:]
    assert "runtime error" not in out and "AddressSanitizer" not in out


def test_defect_interrupt_left_masked_fails(tmp_path):
    """An interrupt handler without InterruptUnmask(): the second raise stays latched."""
    tree = planted(tmp_path, "gpio", "server/gpio_events.c",
                   "    if (InterruptUnmask((int)dev->hw.adc_irq, dev->hw.adc_intr_id) == -1)",
                   "    if (0)")
    r = host_make(tree, tmp_path / "build", env={"QH_SEND_TIMEOUT_MS": "20000"})
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "FAIL irq_adc" in out, out[-3000:]


def test_defect_hook_outside_the_lock_is_seen(tmp_path):
    """A timer handler that calls its hook without the attr lock: the example's check counts it."""
    tree = planted(tmp_path, "gpio", "server/gpio_events.c",
                   "    iofunc_attr_lock(&dev->attr);             /* pulse handlers run unlocked: lock the device */\n"
                   "    status = gpio_on_timer_poll(dev);\n    iofunc_attr_unlock(&dev->attr);",
                   "    status = gpio_on_timer_poll(dev);")
    r = host_make(tree, tmp_path / "build", target="all")
    assert r.returncode == 0, r.stdout + r.stderr
    exe = tmp_path / "t"
    build = tmp_path / "build"
    cmd = ["cc", "-std=c11", "-g", "-O1", "-D_DEFAULT_SOURCE", *SAN, "-isystem", str(QNXHOST / "include"),
           "-include", "qnxhost/redirect.h", "-I", str(tree / "public"), "-o", str(exe),
           str(REPO / "tests" / "examples" / "gpio_events_test.c"),
           *(str(build / f"gpio_{o}.o") for o in ("main", "io", "hooks", "events", "client")),
           str(build / "qnxhost" / "libqnxhost.a"), "-lpthread"]
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    r = subprocess.run([str(exe)], capture_output=True, text=True, timeout=900)
    assert r.returncode != 0
    assert "c.unlocked == 0" in r.stdout, r.stdout[-3000:]


def test_defect_register_access_outside_the_window_asserts(tmp_path):
    """A hook reading one register past the window: the accessor's bounds assert stops it."""
    tree = planted(tmp_path, "gpio", "server/gpio_hooks.c",
                   "    gpio_regs_write32(dev, REG_CTRL, 0);      /* no conversion running */",
                   "    (void)gpio_regs_read32(dev, GPIO_REGS_SIZE);")
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "Assertion" in out and "GPIO_REGS_SIZE" in out, out[-3000:]


def test_defect_no_io_privity_fails(tmp_path):
    """Without ThreadCtl(_NTO_TCTL_IO) the interrupt cannot be attached: the server exits."""
    tree = planted(tmp_path, "gpio", "server/gpio_events.c",
                   "    if (ThreadCtl(_NTO_TCTL_IO, 0) == -1) {", "    if (0) {")
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode != 0
    assert "starting events" in out, out[-3000:]

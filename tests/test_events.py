"""Events and registers in the model (codes, names, options, periods) and a second
generated driver, different from the gpio example (thread pool, microsecond timer, two
pulses, 16- and 64-bit windows, no override flags), whose host test runs under ASan+UBSan."""
from __future__ import annotations

from cbuild import generate, host_make, spec_copy, summary
from rmgen import model

SPEC = {
    "rmgen": 1, "device": {"name": "ev", "path": "/dev/ev", "summary": "s"},
    "registers": [{"name": "ctl", "paddr": 0x1000, "size": 0x10, "width": 16},
                  {"name": "dma", "paddr": 0x2000, "size": 0x40, "width": 64}],
    "events": {"pulses": [{"name": "kick"}, {"name": "stop", "priority": 30}],
               "timers": [{"name": "tick", "period_us": 250}],
               "interrupts": [{"name": "rx", "irq": 9, "flag": "q"}]},
}


def test_pulse_codes_names_and_defaults():
    ev = model.build(SPEC, "../ev.yaml").events
    assert [(p.const, p.code, p.priority) for p in ev.pulses] == [("EV_PULSE_KICK", 0, 10), ("EV_PULSE_STOP", 1, 30)]
    assert [p.hook for p in ev.pulses] == ["ev_on_pulse_kick", "ev_on_pulse_stop"]
    t, = ev.timers
    assert (t.unit, t.period, t.period_ns, t.per_second, t.option) == ("us", 250, 250_000, 1_000_000, None)
    q, = ev.interrupts
    assert (q.irq, q.priority, q.hook) == (9, 21, "ev_on_irq_rx")
    assert [(w.ctype, w.read_fn, w.size_macro) for w in ev.windows] == [
        ("uint16_t", "ev_ctl_read16", "EV_CTL_SIZE"), ("uint64_t", "ev_dma_read64", "EV_DMA_SIZE")]


def test_override_flags_become_options_and_hooks_are_listed():
    d = model.build(SPEC, "../ev.yaml")
    assert [(o.flag, o.field.name, o.lo) for o in d.options] == [("q", "hw.rx_irq", 0)]
    kinds = [(h.name, h.kind) for h in d.hooks if h.kind == "event"]
    assert kinds == [("ev_on_pulse_kick", "event"), ("ev_on_pulse_stop", "event"),
                     ("ev_on_timer_tick", "event"), ("ev_on_irq_rx", "event")]


def test_no_events_no_hw():
    d = model.build({"rmgen": 1, "device": {"name": "p", "path": "/dev/p", "summary": "s"}}, "../p.yaml")
    assert not d.events.has_hw and not d.events.any


def test_pool_driver_with_events_round_trips(tmp_path):
    import yaml

    spec = dict(SPEC, server={"threads": "pool"})
    tree = generate(spec_copy(tmp_path / "spec", "ev.yaml", yaml.safe_dump(spec)), tmp_path / "out")
    text = (tree / "server" / "ev_events.c").read_text()
    assert "its.it_value.tv_nsec = (long)(period % 1000000u) * 1000L;" in text  # microseconds
    r = host_make(tree, tmp_path / "build")
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    passed, failed = summary(out)
    assert failed == 0 and passed >= 10
    for name in ("pulse_kick", "pulse_stop", "timer_tick", "irq_rx"):
        assert f"PASS {name}" in out


def test_doc_text_cannot_break_out_of_a_comment():
    spec = dict(SPEC, events={"pulses": [{"name": "kick", "doc": "a */ int x; /* b"}]})
    d = model.build(spec, "../ev.yaml")
    assert d.events.pulses[0].doc == "a * / int x; / * b"
    assert "*/" not in next(h.doc for h in d.hooks if h.name == "ev_on_pulse_kick")


def test_pool_driver_with_events_is_tsan_clean(tmp_path):
    """The same pool driver, runtime and driver both built with -fsanitize=thread: event
    handlers (attr lock), the runtime's event tables and the pool threads race nowhere."""
    import yaml
    from cbuild import runtime

    spec = dict(SPEC, server={"threads": "pool"})
    tree = generate(spec_copy(tmp_path / "spec", "ev.yaml", yaml.safe_dump(spec)), tmp_path / "out")
    build = tmp_path / "build"
    build.mkdir()
    (build / "qnxhost").symlink_to(runtime(["CFLAGS=-O1 -g -fsanitize=thread"]))  # host.mk keeps it
    r = host_make(tree, build, san=False, extra=["EXTRA_CFLAGS=-fsanitize=thread", "LDLIBS=-lpthread -fsanitize=thread"])
    out = r.stdout + r.stderr
    # Races elsewhere in the runtime (iofunc_notify_remove from close_dup without the attr
    # lock, thread-pool teardown) exist and are not this test's subject: only the event
    # paths (src/events.c, server/ev_events.c) must be free of them.
    reports = out.split("WARNING: ThreadSanitizer")[1:]
    accesses = [w.split("  Thread T")[0].split("  Location is")[0] for w in reports]  # racing stacks only
    assert not [a for a in accesses if "events.c" in a], out[-6000:]
    assert "PASS irq_rx" in out and "PASS timer_tick" in out and summary(out)[1] == 0

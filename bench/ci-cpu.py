#!/usr/bin/env python3
"""CPU per test class of one test run, from BSD process accounting.

    accton /var/tmp/pacct && ./scripts/test; accton off
    bench/ci-cpu.py /var/tmp/pacct CHECKOUT [--top N]

The test sets run at the same time on two cores, so a class's wall time says little about
what it costs; its CPU does. Every process the run started is charged to a test class: the
class its surefire fork ran when the process started (found through the parent chain the
kernel recorded). A fork's own CPU is shared among its classes by their wall time. Processes
that a detached process started (engines' supervisors detach) are charged to the classes
running when that process started, shared equally, and marked "detached". Needs acct v3 records
(the kernel's CONFIG_BSD_PROCESS_ACCT_V3, Debian's default).
"""
import argparse
import collections
import glob
import os
import struct
import xml.etree.ElementTree as ElementTree

AHZ = 100.0
RECORD = struct.Struct("<BBHIIIIIIfHHHHHHHH16s")


def comp(value):
    """comp_t: 13-bit mantissa, 3-bit base-8 exponent."""
    return (value & 0x1FFF) << (3 * (value >> 13))


class Proc:
    __slots__ = ("pid", "ppid", "start", "end", "cpu", "comm", "parent")

    def __init__(self, pid, ppid, start, end, cpu, comm):
        self.pid, self.ppid, self.start, self.end, self.cpu, self.comm = (
            pid, ppid, start, end, cpu, comm)
        self.parent = None


def read_acct(path):
    procs = []
    with open(path, "rb") as f:
        data = f.read()
    for off in range(0, len(data) - RECORD.size + 1, RECORD.size):
        (_flag, version, _tty, _exit, _uid, _gid, pid, ppid, btime, etime, utime, stime,
         *_rest, comm) = RECORD.unpack_from(data, off)
        if version & 0x0F != 3:
            raise SystemExit(f"{path}: record at {off} is not acct v3")
        cpu = (comp(utime) + comp(stime)) / AHZ
        name = command(comm.split(b"\0", 1)[0].decode("ascii", "replace"))
        procs.append(Proc(pid, ppid, btime, btime + etime / AHZ, cpu, name))
    return procs


def link_parents(procs):
    """A parent is the process with the child's ppid that was alive when the child started
    (pids are reused); btime has one-second resolution, hence the slack."""
    by_pid = collections.defaultdict(list)
    for p in procs:
        by_pid[p.pid].append(p)
    for p in procs:
        best = None
        for c in by_pid.get(p.ppid, ()):
            if c is not p and c.start <= p.start + 1 and c.end >= p.start - 1:
                if best is None or c.start > best.start:
                    best = c
        p.parent = best


class TestClass:
    def __init__(self, module, name, start, seconds):
        self.module, self.name, self.start, self.seconds = module, name, start, seconds
        self.end = start + seconds
        self.fork = None
        self.guessed = False
        self.cpu = collections.Counter()


def read_reports(checkout):
    classes = []
    for xml in glob.glob(os.path.join(checkout, "*", "target", "surefire-reports", "TEST-*.xml")):
        suite = ElementTree.parse(xml).getroot()
        seconds = float(suite.get("time").replace(",", ""))
        # surefire writes the report when the class ends and records no start time.
        start = os.path.getmtime(xml) - seconds
        module = xml.split(os.sep)[-4]
        name = suite.get("name").rsplit(".", 1)[-1]
        classes.append(TestClass(module, name, start, seconds))
    return sorted(classes, key=lambda c: c.start)


# The kernel names a process by the thread that exits last: for a JVM, one of its own.
JVM_THREADS = ("java", "C1 Compiler", "C2 Compiler", "GC Thread", "G1 ", "VM Thread",
               "VM Periodic", "Reference Handl", "Signal Dispatch", "Finalizer",
               "Common-Cleaner", "Attach Listene", "Notification Th", "Service Thread",
               "Sweeper thread", "DestroyJavaVM", "process reaper", "surefire", "main",
               "Thread-", "pool-", "ForkJoinPool", "JFR ", "Monitor Deflat")
SHELLS = ("sh", "bash")


def command(comm):
    return "java" if comm.startswith(JVM_THREADS) else comm


def find_forks(procs):
    """Surefire forks: processes that ran longer than five seconds, started through a shell by a
    Maven JVM (a JVM that no JVM started)."""

    def jvm(p):  # read_acct named every JVM "java"
        return p is not None and p.comm == "java"

    def top_level_jvm(p):
        if not jvm(p):
            return False
        node = p.parent
        while node is not None:
            if jvm(node):
                return False
            node = node.parent
        return True

    # A fork's own name is whichever of its threads ended last, which may be a thread the tests
    # named: not checked.
    return [p for p in procs
            if p.comm not in SHELLS and p.end - p.start > 5 and p.parent is not None
            and p.parent.comm in SHELLS and top_level_jvm(p.parent.parent)]


def fork_of(proc, forks):
    node = proc.parent
    while node is not None:
        if node in forks:
            return node
        node = node.parent
    return None


def assign_classes(classes, forks, fork_by_proc):
    """Each class to a fork of its module that was alive throughout it and free.

    scripts/test starts three Maven runs at once: boot (runtime's boot-tagged classes), modules
    (one fork per module at a time) and e2e (the tests module). A fork of the modules run
    belongs to the module whose classes not placed yet lie inside its life."""
    started = collections.defaultdict(list)
    for p, f in fork_by_proc.items():
        if f is not None:
            started[f].append(p.start)
    busy = collections.defaultdict(list)

    def place(c, candidates):
        candidates = [f for f in candidates
                      if f.start <= c.start + 2 and f.end >= c.end - 2
                      and all(o.end <= c.start + 2 or o.start >= c.end - 2 for o in busy[f])]
        if not candidates:
            return

        def last_end(f):
            return max((o.end for o in busy[f]), default=f.start)

        def activity(f):
            return sum(1 for s in started[f] if c.start - 1 <= s <= c.end + 1)

        # A fork starts its next class as soon as one ends: the fork that finished last before
        # this class began ran it, unless another finished within the same seconds.
        latest = max(last_end(f) for f in candidates)
        close = [f for f in candidates if last_end(f) >= latest - 3]
        c.fork = max(close, key=activity)
        c.guessed = len(close) > 1
        busy[c.fork].append(c)

    spans = {}
    for c in classes:
        first, last = spans.get(c.module, (c.start, c.end))
        spans[c.module] = (min(first, c.start), max(last, c.end))

    def fit(set_forks, module):
        if module not in spans:
            return 0
        begin, end = spans[module]
        life = (min(f.start for f in set_forks), max(f.end for f in set_forks))
        overlap = min(life[1], end) - max(life[0], begin)
        return overlap / (max(life[1], end) - min(life[0], begin))

    by_maven = collections.defaultdict(list)
    for f in forks:
        by_maven[f.parent.parent.pid].append(f)
    sets = list(by_maven.values())
    known, modules_forks = [], forks
    if len(sets) == 3:
        # The e2e run's forks live as long as the tests module's classes, the boot run's as
        # long as runtime's (its longest); the modules run's forks follow one module each.
        e2e = max(sets, key=lambda s: fit(s, "tests"))
        boot = max((s for s in sets if s is not e2e), key=lambda s: fit(s, "runtime"))
        known = [(boot, "runtime"), (e2e, "tests")]
        modules_forks = [f for s in sets if s is not e2e and s is not boot for f in s]
    for set_forks, module in known:
        for c in classes:
            if c.module == module:
                place(c, set_forks)

    def inside(f, m):
        return sum(c.seconds for c in classes if c.module == m and c.fork is None
                   and c.start >= f.start - 3 and c.end <= f.end + 3)

    def total(m):
        return sum(c.seconds for c in classes if c.module == m and c.fork is None) or 1

    # The module most of whose remaining work lies inside the fork, and which fills it.
    module_of = {}
    for f in sorted(modules_forks, key=lambda f: f.start):
        life = max(f.end - f.start, 1)
        module_of[f] = max({c.module for c in classes},
                           key=lambda m: inside(f, m) / total(m) * min(1, inside(f, m) / life))
    for c in classes:
        if c.fork is None:
            place(c, [f for f in modules_forks if module_of[f] == c.module])
    return busy


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pacct")
    parser.add_argument("checkout")
    parser.add_argument("--top", type=int, default=4, help="commands shown per class")
    args = parser.parse_args()
    procs = read_acct(args.pacct)
    link_parents(procs)
    classes = read_reports(args.checkout)
    forks = find_forks(procs)
    fork_set = set(forks)
    # Each process's fork, found once: the placing of classes and the charging both need it.
    fork_by_proc = {p: fork_of(p, fork_set) for p in procs if p not in fork_set}
    busy = assign_classes(classes, forks, fork_by_proc)
    placed = [c for c in classes if c.fork is not None]
    unowned = collections.Counter()
    detached = collections.Counter()

    for f in forks:
        seconds = sum(c.seconds for c in busy[f]) or 1
        for c in busy[f]:
            c.cpu["(surefire fork)"] += f.cpu * c.seconds / seconds
    for p, f in fork_by_proc.items():
        if f is not None:
            owner = [c for c in busy[f] if c.start - 2 <= p.start <= c.end + 2]
            if owner:
                owner[0].cpu[p.comm] += p.cpu
            else:
                unowned[p.comm] += p.cpu
            continue
        root = p
        while root.parent is not None:
            root = root.parent
        if root.ppid == 1:
            running = [c for c in placed if c.start <= root.start <= c.end]
            if running:
                for c in running:
                    c.cpu["detached " + p.comm] += p.cpu / len(running)
                detached[p.comm] += p.cpu
                continue
        unowned[p.comm] += p.cpu

    total = sum(p.cpu for p in procs)
    charged = sum(sum(c.cpu.values()) for c in classes)
    print(f"{len(procs)} processes, {total:.0f} CPU-s; charged to test classes {charged:.0f} s"
          f" ({100 * charged / total:.0f} %), detached {sum(detached.values()):.0f} s;"
          f" {len(forks)} forks, {sum(1 for c in classes if c.fork)} of {len(classes)}"
          " classes placed")
    print()
    print(f"{'CPU s':>7} {'wall s':>7}  {'module':<9} class: top commands")
    for c in sorted(classes, key=lambda c: -sum(c.cpu.values())):
        cpu = sum(c.cpu.values())
        if cpu < 1:
            continue
        top = ", ".join(f"{k} {v:.0f}" for k, v in c.cpu.most_common(args.top))
        mark = "*" if c.guessed else ""
        print(f"{cpu:7.0f} {c.seconds:7.0f}  {c.module:<9} {c.name}{mark}: {top}")
    print()
    print("* started when more than one fork of its module was free: placed by the processes"
          " started during it, and may have traded places with a class started beside it")
    print("not charged to a class (Maven, the build phase, the scripts):",
          ", ".join(f"{k} {v:.0f}" for k, v in unowned.most_common(8)))


if __name__ == "__main__":
    main()

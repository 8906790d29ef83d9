#!/usr/bin/env python3
# bench/table.py RESULTS OUTDIR: the table (OUTDIR/table.md) and the chart's
# data and script (OUTDIR/chart.dat, chart.gp) from bench/run's results,
# lines "B WHAT UPDATE SCENARIO VALUE". Medians of the runs; every ratio is
# of two figures of this one run.
import statistics
import sys
from collections import defaultdict

results, outdir = sys.argv[1], sys.argv[2]
values = defaultdict(list)
words = {}
for line in open(results):
    f = line.split()
    if len(f) != 5 or f[0] != "B":
        continue
    key = tuple(f[1:4])
    try:
        values[key].append(int(f[4]))
    except ValueError:
        words[key] = f[4]


def med(*key):
    v = values.get(key)
    return statistics.median(v) if v else None


UPDATES = [("bench-stop", "kmend default (stop)"),
           ("bench-task", "kmend per-task"),
           ("bench-kgraft", "kmend kGraft"),
           ("bench-klp", "livepatch")]
PEER = "bench-klp"
LOOPS = 1000000


def ms(us):
    return "-" if us is None else ("%.1f" % (us / 1000.0))


def ratio(a, b):
    return "-" if a is None or not b else "%.3f" % (a / b)


out = []
w = out.append
w("### Switch time (ms, median of the runs; ratio: kmend / livepatch)\n")
w("| case | " + " | ".join(n for _, n in UPDATES) +
  " | default / livepatch | per-task / livepatch | kGraft / livepatch |")
w("|---|" + "---|" * (len(UPDATES) + 3))
chart = []
for what, scen, label in [("apply", "idle", "apply, idle"),
                          ("apply", "load", "apply, load on every CPU"),
                          ("apply", "sleeper", "apply, a task asleep in pipe_read"),
                          ("undo", "idle", "undo, idle"),
                          ("undo", "load", "undo, load on every CPU")]:
    cells, nums = [], {}
    for u, _ in UPDATES:
        v = med(what, u, scen)
        nums[u] = v
        if v is None and ("refused", u, scen) in words:
            after = med("refused_after", u, scen)
            cells.append("refused: %s after %s s" % (words[("refused", u, scen)],
                                                      "?" if after is None else "%.0f" % (after / 1e6)))
        else:
            cells.append(ms(v))
    peer = nums[PEER]
    w("| %s | %s | %s | %s | %s |" % (label, " | ".join(cells),
                                      ratio(nums["bench-stop"], peer),
                                      ratio(nums["bench-task"], peer),
                                      ratio(nums["bench-kgraft"], peer)))
    if what == "apply":
        chart.append((scen, [nums[u] for u, _ in UPDATES]))

w("\n### Stop window of kmend's default model (us)\n")
w("| | idle | load |")
w("|---|---|---|")
empty = med("stop", "empty", "-")
for key, label in [("window", "kmend's stop window (CPUs stopped to switched)"),
                   ("stop", "kmend's whole stop_machine() call")]:
    w("| %s | %s | %s |" % (label, med(key, "bench-stop", "idle"), med(key, "bench-stop", "load")))
w("| an empty stop_machine(), bench/module | %s | - |" % (None if empty is None else round(empty / 1000.0)))
stop_idle = med("stop", "bench-stop", "idle")
if empty:
    w("\nRatio of kmend's stop_machine() call to an empty one (idle): %s (goal: at most 3)"
      % ratio(stop_idle, empty / 1000.0))

w("\n### Cost of a call to a patched function (jiffies_to_msecs, ns per call; best of 5 reads of %d calls)\n" % LOOPS)
base = [x for x in (med("calls", "none", "-"), med("calls", "none-after", "-")) if x is not None]
base = min(base) / LOOPS if base else None
w("| | calls reach the replacement by | ns per call | added | added / livepatch's added |")
w("|---|---|---|---|---|")
w("| unpatched | - | %s | - | - |" % ("-" if base is None else "%.1f" % base))
peer_call = med("calls", PEER, "-")
peer_added = None if peer_call is None or base is None else peer_call / LOOPS - base
CALLS = [("bench-stop-ftrace", "kmend default, jumps off (kmend.ko jumps=N)")] + UPDATES
for u, name in CALLS:
    c = med("calls", u, "-")
    per = None if c is None else c / LOOPS
    added = None if per is None or base is None else per - base
    via = "ftrace (livepatch's handler)" if u == PEER else words.get(("via", u, "-"), "-")
    w("| %s | %s | %s | %s | %s |" % (name, via, "-" if per is None else "%.1f" % per,
                                 "-" if added is None else "%.1f" % added,
                                 ratio(added, peer_added)))

w("\n### Memory held once applied (bytes)\n")
w("| | update module | engine allocations | pre code the engine holds |")
w("|---|---|---|---|")
for u, name in UPDATES:
    w("| %s | %s | %s | %s |" % (name, med("module_bytes", u, "-"),
                                 "-" if u == PEER else med("engine_bytes", u, "-"),
                                 "-" if u == PEER else med("pre_bytes", u, "-")))

w("\n### kmend create against the compiles it needs (host, one compile at a time)\n")
cold, floor = med("create", "cold", "-"), med("floor", "-", "-")
unit_mean, units, sampled = med("unit_mean", "-", "-"), med("units", "-", "-"), med("sampled", "-", "-")
w("| | s | ratio to the bare compile |")
w("|---|---|---|")
w("| bare compile of the touched units, before and after (Kbuild's commands) | %s | 1 |" % ms(floor and floor / 1000))
w("| kmend create, no cache (-j 1) | %s | %s |" % (ms(cold and cold / 1000), ratio(cold, floor)))
for m, name in [("task", "per-task model"), ("kgraft", "kGraft model"), ("klp", "livepatch")]:
    v = med("create", "warm-" + m, "-")
    w("| kmend create, %s, the tree's cache holding the objects before (-j 1) | %s | %s |"
      % (name, ms(v and v / 1000), ratio(v, floor)))
if unit_mean and units:
    full = unit_mean * units / 2
    w("| a full build (`make`, every unit of the configuration), estimated: %d units x %.2f s (the mean of %d picked at random) / 2 cores | %.0f | %s |"
      % (units, unit_mean / 1e6, sampled or 0, full / 1e6, ratio(full, floor)))

open(outdir + "/table.md", "w").write("\n".join(out) + "\n")

with open(outdir + "/chart.dat", "w") as d:
    d.write("case " + " ".join('"%s"' % n for _, n in UPDATES) + "\n")
    for label, nums in chart:
        d.write(label + " " + " ".join("NaN" if v is None else "%.3f" % (v / 1000.0) for v in nums) + "\n")
with open(outdir + "/chart.gp", "w") as g:
    g.write("""set terminal svg size 900,440 dynamic font "sans,12"
set output '%s/chart.svg'
set title "Time from apply to every task switched (ms, log scale; one VM run)"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set logscale y
set yrange [10:*]
set ylabel "ms"
set key outside right top
set xlabel "idle; load: a reader of /proc/version on every CPU; sleeper: a task asleep in pipe_read\\n(no bar: the default model refuses, code_busy)" noenhanced
set xtics noenhanced
plot for [i=2:%d] '%s/chart.dat' using i:xtic(1) title columnheader(i)
""" % (outdir, len(UPDATES) + 1, outdir))

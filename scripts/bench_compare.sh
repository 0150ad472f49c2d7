#!/usr/bin/env bash
# w2v4j against PyTorch/OpenBLAS on this machine, in one run, side by side with ratios.
#
#   scripts/bench_compare.sh [--rounds R] [--scaling] [--out DIR]
#
# Workloads: SGEMM on the BASE shapes (T = 500 frames; forward NT, backward NN and TN), the BASE
# forward on 10 s of audio (batch 1) and a training step on 4 x 5 s. w2v4j runs them through
# `./w2v bench --preset base --json --only PART`; PyTorch (Debian's python3-torch with OpenBLAS,
# same thread count) through scripts/bench_torch_gemm.py, bench_torch_forward.py and
# bench_torch_train.py. The two alternate, R rounds per workload (default 3), so that a burst of
# load from other jobs hits both; the table gives the median of each side and the median of the
# per-round ratios (all rounds are listed). With --scaling it also times the forward on 5, 10,
# 20 and 40 s in both (time and memory; attention share for w2v4j). Raw JSON goes to DIR
# (default target/bench-compare). Ratio > 1 means w2v4j is faster.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scaling=0
rounds=3
out=target/bench-compare
while [ $# -gt 0 ]; do
  case "$1" in
    --scaling) scaling=1 ;;
    --rounds) rounds="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--rounds R] [--scaling] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
rm -rf "$out"
mkdir -p "$out"
threads=$(nproc)
py=/usr/bin/python3
torch() { (cd scripts && "$py" "$@" --threads "$threads"); }
echo "load before: $(cat /proc/loadavg)" | tee "$out/load.txt"
./w2v bench --help >/dev/null # build first, outside the timings
for r in $(seq "$rounds"); do
  echo "round $r/$rounds: gemm" >&2
  parts=gemm; [ "$r" = 1 ] && parts=gemm,kernels
  ./w2v bench --preset base --only "$parts" --json > "$out/w2v4j_gemm_$r.json"
  torch bench_torch_gemm.py > "$out/torch_gemm_$r.json"
done
for r in $(seq "$rounds"); do
  echo "round $r/$rounds: forward" >&2
  ./w2v bench --preset base --only forward --seconds 10 --runs 5 --json > "$out/w2v4j_forward_$r.json"
  torch bench_torch_forward.py --seconds 10 --runs 5 > "$out/torch_forward_$r.json"
done
for r in $(seq "$rounds"); do
  echo "round $r/$rounds: train" >&2
  ./w2v bench --preset base --only train --train-batch 4 --train-seconds 5 --runs 6 --json > "$out/w2v4j_train_$r.json"
  torch bench_torch_train.py --batch 4 --seconds 5 --runs 3 > "$out/torch_train_$r.json"
done
if [ "$scaling" = 1 ]; then
  echo "scaling" >&2
  ./w2v bench --preset base --only scaling --lengths 5,10,20,40 --json > "$out/w2v4j_scaling.json"
  for s in 5 10 20 40; do
    # one process per length, so that its peak RSS is that length's
    (cd scripts && "$py" - "$threads" "$s" <<'PY'
import json, resource, subprocess, sys
threads, s = sys.argv[1], sys.argv[2]
line = subprocess.run(["/usr/bin/python3", "bench_torch_forward.py", "--threads", threads, "--seconds", s, "--runs", "3"],
                      capture_output=True, text=True, check=True).stdout
rec = json.loads(line)
rec["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
print(json.dumps(rec))
PY
    ) >> "$out/torch_scaling.json"
  done
fi
echo "load after:  $(cat /proc/loadavg)" | tee -a "$out/load.txt"
"$py" - "$out" "$rounds" "$scaling" <<'PY'
import json, statistics, sys
out, rounds, scaling = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
load = lambda name: json.loads(open("%s/%s" % (out, name)).read().strip().splitlines()[-1])
med = statistics.median
jg = [load("w2v4j_gemm_%d.json" % r) for r in range(1, rounds + 1)]
tg = [load("torch_gemm_%d.json" % r) for r in range(1, rounds + 1)]
jf = [load("w2v4j_forward_%d.json" % r) for r in range(1, rounds + 1)]
tf = [load("torch_forward_%d.json" % r) for r in range(1, rounds + 1)]
jt = [load("w2v4j_train_%d.json" % r) for r in range(1, rounds + 1)]
tt = [load("torch_train_%d.json" % r) for r in range(1, rounds + 1)]
m = jg[0]
print()
print("machine: %s, %d threads; FP32 peak %.1f GFLOP/s nominal (%s); %.1f GFLOP/s measured (register FMA chains)"
      % (m["cpu"], m["threads"], m["peak_gflops"], m["peak_formula"], m["peak_gflops_measured_fma"]))
print("torch %s, BLAS: %s" % (tf[0]["torch"], tf[0].get("blas")))
print("%d rounds, w2v4j and torch alternating; load %s" % (rounds, open(out + "/load.txt").read().replace("\n", "; ")))
print()
row = "%-30s %10s %10s %8s   %s"
print(row % ("workload (median of rounds)", "w2v4j", "torch", "ratio", "ratio per round"))
print(row % ("-" * 30, "-" * 10, "-" * 10, "-" * 8, "-" * 20))
def line(label, js, ts, faster_is_lower, fmt):
    ratios = [(t / j if faster_is_lower else j / t) for j, t in zip(js, ts)]
    print(row % (label, fmt % med(js), fmt % med(ts), "%.2fx" % med(ratios), " ".join("%.2f" % x for x in ratios)))
for k in m["gemm_gflops_by_layout"]:
    line("SGEMM %s GFLOP/s" % k, [j["gemm_gflops_by_layout"][k] for j in jg], [t["gemm_gflops_by_layout"][k] for t in tg], False, "%.1f")
line("BASE forward 10 s [s]", [j["forward_s_10s"] for j in jf], [t["forward_s_10s"] for t in tf], True, "%.3f")
line("BASE fwd+bwd 4x5 s [s]", [j["train_step_s_4x5s"] for j in jt], [t["train_step_s"] for t in tt], True, "%.3f")
line("training samples/s", [j["train_samples_per_s"] for j in jt], [t["samples_per_s"] for t in tt], False, "%.0f")
print(row % ("peak RSS of the train run [MB]", max(j["peak_rss_mb"] for j in jt), max(t["peak_rss_mb"] for t in tt), "", ""))
print()
print("w2v4j's step is the whole pre-training objective (masking, Gumbel quantizer, contrastive and diversity")
print("losses, dropout); torch's is the encoder's forward+backward with loss = out.sum(), layer drop 0.")
fs = jf[len(jf) // 2]["forward_share"]
print("forward shares (w2v4j): " + ", ".join("%s %.0f%%" % (k, 100 * v["share"]) for k, v in fs.items()))
ts_ = jt[len(jt) // 2]["train_share"]
print("training shares (w2v4j): " + ", ".join("%s %.0f%%" % (k, 100 * v["share"]) for k, v in ts_.items()))
print("allocation per run (w2v4j, calling thread): forward %.1f MB, training step %.1f MB"
      % (med([j["forward_alloc_mb_per_run"] for j in jf]), med([j["train_alloc_mb_per_step"] for j in jt])))
if scaling:
    sc = load("w2v4j_scaling.json")["scaling"]
    ts = [json.loads(l) for l in open(out + "/torch_scaling.json") if l.strip()]
    print()
    print("%-6s %7s %9s %7s %10s %9s %9s %9s %8s" % ("audio", "frames", "w2v4j s", "RTF", "attention", "heap MB", "torch s", "torch MB", "ratio"))
    for r, t in zip(sc, ts):
        tsec = t["forward_s_%gs" % r["seconds"]]
        print("%-6s %7d %9.3f %7.3f %9.0f%% %9d %9.3f %9d %7.2fx" % ("%g s" % r["seconds"], r["frames"], r["forward_s"],
              r["real_time_factor"], 100 * r["attention_share"], r["heap_used_mb"], tsec, t["peak_rss_mb"], tsec / r["forward_s"]))
    print("w2v4j: heap = live Java heap after a full GC (model + buffers of that length); process peak RSS after 40 s: %s MB."
          % sc[-1]["peak_rss_mb"])
    print("torch: peak RSS of a process that ran only that length.")
PY

#!/usr/bin/env bash
# w2v4j against PyTorch/OpenBLAS on this machine, in one run, side by side with ratios.
#
#   scripts/bench_compare.sh [--scaling] [--out DIR]
#
# Runs `./w2v bench --preset base --json` (GEMM on the BASE shapes, kernels, forward on 10 s, a
# pre-training step on 4 x 5 s), then the same workloads in PyTorch (Debian's python3-torch with
# OpenBLAS, same thread count): scripts/bench_torch_gemm.py, bench_torch_forward.py,
# bench_torch_train.py. With --scaling it also times the forward on 5, 10, 20 and 40 s in both
# (time, memory, attention share for w2v4j). The raw JSON lines are kept in DIR (default
# target/bench-compare). Ratios are torch time / w2v4j time (or w2v4j GFLOP/s / torch GFLOP/s):
# above 1 means w2v4j is faster. The machine load is printed before and after: on a shared
# machine, compare only numbers taken in the same run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scaling=0
out=target/bench-compare
while [ $# -gt 0 ]; do
  case "$1" in
    --scaling) scaling=1 ;;
    --out) out="$2"; shift ;;
    *) echo "usage: $0 [--scaling] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$out"
threads=$(nproc)
py=/usr/bin/python3
echo "load before: $(cat /proc/loadavg)" | tee "$out/load.txt"
./w2v bench --preset base --json > "$out/w2v4j.json"
(cd scripts && "$py" bench_torch_gemm.py --threads "$threads") > "$out/torch_gemm.json"
(cd scripts && "$py" bench_torch_forward.py --threads "$threads" --seconds 10 --runs 7) > "$out/torch_forward.json"
(cd scripts && "$py" bench_torch_train.py --threads "$threads" --batch 4 --seconds 5 --runs 3) > "$out/torch_train.json"
if [ "$scaling" = 1 ]; then
  ./w2v bench --preset base --only scaling --lengths 5,10,20,40 --json > "$out/w2v4j_scaling.json"
  : > "$out/torch_scaling.json"
  for s in 5 10 20 40; do
    (cd scripts && "$py" - "$threads" "$s" <<'PY'
import json, resource, subprocess, sys
threads, s = sys.argv[1], sys.argv[2]
# one process per length, so that its peak RSS is that length's
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
"$py" - "$out" "$scaling" <<'PY'
import json, sys
out, scaling = sys.argv[1], sys.argv[2] == "1"
j = json.load(open(out + "/w2v4j.json"))
tg = json.loads(open(out + "/torch_gemm.json").read())
tf = json.loads(open(out + "/torch_forward.json").read())
tt = json.loads(open(out + "/torch_train.json").read())
print()
print("machine: %s, %d threads; FP32 peak %.1f GFLOP/s (%s); measured FMA peak %.1f GFLOP/s"
      % (j["cpu"], j["threads"], j["peak_gflops"], j["peak_formula"], j["peak_gflops_measured_fma"]))
print("torch %s, BLAS: %s" % (tf["torch"], tf.get("blas")))
print()
row = "%-34s %12s %12s %9s"
print(row % ("workload", "w2v4j", "torch", "ratio"))
print(row % ("-" * 34, "-" * 12, "-" * 12, "-" * 9))
for k, v in j["gemm_gflops_by_layout"].items():
    t = tg["gemm_gflops_by_layout"].get(k)
    print(row % ("SGEMM %s GFLOP/s" % k, "%.1f" % v, "%.1f" % t, "%.2fx" % (v / t)))
f, tfs = j["forward_s_10s"], tf["forward_s_10s"]
print(row % ("BASE forward 10 s, s", "%.3f" % f, "%.3f" % tfs, "%.2fx" % (tfs / f)))
s, ts = j["train_step_s_4x5s"], tt["train_step_s"]
print(row % ("BASE fwd+bwd 4x5 s, s", "%.3f" % s, "%.3f" % ts, "%.2fx" % (ts / s)))
print(row % ("training samples/s", j["train_samples_per_s"], "%.0f" % tt["samples_per_s"], "%.2fx" % (ts / s)))
print(row % ("peak RSS, MB", j["peak_rss_mb"], tt["peak_rss_mb"], ""))
print()
print("ratio > 1: w2v4j faster. w2v4j's step is the full pre-training objective (masking, quantizer,")
print("contrastive loss, dropout); torch's is encoder forward+backward with loss = out.sum().")
print("forward shares (w2v4j): " + ", ".join("%s %.0f%%" % (k, 100 * v["share"]) for k, v in j["forward_share"].items()))
print("training shares (w2v4j): " + ", ".join("%s %.0f%%" % (k, 100 * v["share"]) for k, v in j["train_share"].items()))
if scaling:
    sc = json.load(open(out + "/w2v4j_scaling.json"))["scaling"]
    ts = [json.loads(l) for l in open(out + "/torch_scaling.json") if l.strip()]
    print()
    print("%-8s %8s %12s %10s %12s %12s %12s %9s" % ("audio", "frames", "w2v4j s", "RTF", "attention", "heap MB", "torch s", "ratio"))
    for r, t in zip(sc, ts):
        tsec = t["forward_s_%gs" % r["seconds"]]
        print("%-8s %8d %12.3f %10.3f %11.0f%% %12d %12.3f %8.2fx" % ("%g s" % r["seconds"], r["frames"], r["forward_s"],
              r["real_time_factor"], 100 * r["attention_share"], r["heap_used_mb"], tsec, tsec / r["forward_s"]))
    print("w2v4j peak RSS after 40 s: %s MB; torch peak RSS per length: %s MB"
          % (sc[-1]["peak_rss_mb"], ", ".join(str(t["peak_rss_mb"]) for t in ts)))
PY

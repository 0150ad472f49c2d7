// Elementwise kernels and the sum of squares. One work-item per element; n is the element count.

// Exact GELU 0.5 x (1 + erf(x / sqrt 2)), evaluated in acc_t (double where available, like the
// Java backend) and rounded to float once. out may be inp (in place).
__kernel void gelu(__global float* out, int outOff, __global const float* inp, int inpOff, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    acc_t x = inp[inpOff + i];
    out[outOff + i] = (float) (0.5 * x * (1.0 + erf(x * 0.7071067811865476)));
}

// dInp += dOut * gelu'(inp), gelu'(x) = Phi(x) + x phi(x).
__kernel void gelu_backward(__global float* dInp, int dInpOff, __global const float* dOut, int dOutOff,
                            __global const float* inp, int inpOff, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    acc_t x = inp[inpOff + i];
    acc_t d = 0.5 * (1.0 + erf(x * 0.7071067811865476)) + x * 0.3989422804014327 * exp(-0.5 * x * x);
    dInp[dInpOff + i] += (float) (dOut[dOutOff + i] * d);
}

__kernel void add(__global float* x, int xOff, __global const float* y, int yOff, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    x[xOff + i] += y[yOff + i];
}

__kernel void scale(__global float* x, int off, int n, float s) {
    int i = get_global_id(0);
    if (i >= n) return;
    x[off + i] *= s;
}

// SplitMix64's output function, as w2v4j.kernels.Dropout.mix (Java's >>> is ulong >>).
ulong mix64(ulong z) {
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    return z ^ (z >> 31);
}

// Inverted dropout with the Java backend's counter hash: keep(i) = top 24 bits of
// mix(key + i * golden) >= threshold, key = mix(seed) (computed on the host). The same masks bit
// for bit, so Java and OpenCL training runs drop the same units.
__kernel void dropout(__global float* x, int off, int n, ulong key, ulong threshold, float scale) {
    int i = get_global_id(0);
    if (i >= n) return;
    int keep = (mix64(key + (ulong) i * 0x9E3779B97F4A7C15UL) >> 40) >= threshold;
    x[off + i] = keep ? x[off + i] * scale : 0.0f;
}

// Partial sums of squares: work-group g sums x[off + g*chunk, off + min(n, (g+1)*chunk)) into
// partial[pOff + g] (acc_t); the host adds the partials in order (in double).
__kernel void sum_squares(__global acc_t* partial, int pOff, __global const float* x, int off, int n, int chunk) {
    __local acc_t s[RED];
    int g = get_group_id(0), l = get_local_id(0);
    int end = min(n, (g + 1) * chunk);
    acc_t acc = 0;
    for (int i = g * chunk + l; i < end; i += RED) {
        acc_t v = x[off + i];
        acc += v * v;
    }
    acc = wg_sum(acc, s);
    if (l == 0) partial[pOff + g] = acc;
}

// ---- data movement and masking (w2v4j.kernels.Rows)

__kernel void copy(__global float* dst, int dstOff, __global const float* src, int srcOff, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    dst[dstOff + i] = src[srcOff + i];
}

__kernel void fill(__global float* x, int off, int n, float value) {
    int i = get_global_id(0);
    if (i >= n) return;
    x[off + i] = value;
}

// One work-item per (masked row, channel): x[rows[i], c] = vec[c].
__kernel void set_rows(__global float* x, int dim, __global const int* rows, int count, __global const float* vec) {
    int id = get_global_id(0);
    if (id >= count * dim) return;
    int i = id / dim, c = id % dim;
    x[rows[i] * dim + c] = vec[c];
}

// One work-item per channel: dVec[c] += dX[rows[i], c] over i in order (the Java order, so the sums
// agree bit for bit), then those entries of dX are zeroed.
__kernel void set_rows_backward(__global float* dX, int dim, __global const int* rows, int count, __global float* dVec) {
    int c = get_global_id(0);
    if (c >= dim) return;
    float acc = dVec[c];
    for (int i = 0; i < count; i++) {
        acc += dX[rows[i] * dim + c];
        dX[rows[i] * dim + c] = 0.0f;
    }
    dVec[c] = acc;
}

// One work-item per (masked channel entry, frame): x[b, i, c] = 0 with bc = b * dim + c.
__kernel void zero_channels(__global float* x, int t, int dim, __global const int* channels, int count) {
    int id = get_global_id(0);
    if (id >= count * t) return;
    int e = id / t, i = id % t;
    int bc = channels[e], b = bc / dim, c = bc % dim;
    x[(b * t + i) * dim + c] = 0.0f;
}

// ---- optimizer (w2v4j.kernels.AdamUpdate): the same float operations in the same order, no
// contraction into FMA; sqrt and the division are rounded from acc_t, which for double gives the
// correctly rounded float results that Java computes (OpenCL's float sqrt and / may be inexact).

__kernel void adam_step(__global float* w, __global const float* g, __global float* m, __global float* v, int n,
                        float b1, float a1, float b2, float a2, float eps, float decay, float stepSize) {
#pragma OPENCL FP_CONTRACT OFF
    int j = get_global_id(0);
    if (j >= n) return;
    float gj = g[j];
    float mj = b1 * m[j] + a1 * gj;
    float vj = b2 * v[j] + a2 * gj * gj;
    m[j] = mj;
    v[j] = vj;
    float wj = w[j] + decay * w[j];
    float den = (float) sqrt((acc_t) vj) + eps;
    w[j] = wj - stepSize * (float) ((acc_t) mj / (acc_t) den);
}

// Per work-group: partial[g] = sum of (x - x) over its chunk, 0 unless the chunk holds NaN or Inf.
__kernel void non_finite(__global float* partial, __global const float* x, int off, int n, int chunk) {
    __local acc_t s[RED];
    int g = get_group_id(0), l = get_local_id(0);
    int end = min(n, (g + 1) * chunk);
    acc_t acc = 0;
    for (int i = g * chunk + l; i < end; i += RED) acc += x[off + i] - x[off + i];
    acc_t total = wg_sum(acc, s);
    if (l == 0) partial[g] = (float) total;
}

// ---- derived weights (w2v4j.kernels.ConvWeights, w2v4j.kernels.WeightNorm)

// One work-item per element i of the packed layout [cOut, taps, cg]: packed[o, k, c] = w[o, c, k].
__kernel void pack_conv_weight(__global float* packed, __global const float* w, int cg, int taps, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    int per = cg * taps, o = i / per, rest = i % per, k = rest / cg, c = rest % cg;
    packed[i] = w[o * per + c * taps + k];
}

// One work-item per element i of PyTorch's layout [cOut, cg, taps]: grad[o, c, k] += packed[o, k, c].
__kernel void add_unpacked_conv_weight(__global float* grad, __global const float* packed, int cg, int taps, int n) {
    int i = get_global_id(0);
    if (i >= n) return;
    int per = cg * taps, o = i / per, rest = i % per, c = rest / taps, k = rest % taps;
    grad[i] += packed[o * per + k * cg + c];
}

// One work-item per tap k: scale[k] = g[k] / ||v[:, k]||, the sum over rows in order (as Java).
__kernel void weight_norm_scale(__global acc_t* scale, __global const float* g, __global const float* v, int rows, int taps) {
#pragma OPENCL FP_CONTRACT OFF
    int k = get_global_id(0);
    if (k >= taps) return;
    acc_t norm2 = 0;
    for (int r = 0; r < rows; r++) {
        acc_t x = v[r * taps + k];
        norm2 += x * x;
    }
    scale[k] = g[k] / sqrt(norm2);
}

__kernel void weight_norm_apply(__global float* w, __global const float* v, __global const acc_t* scale, int rows, int taps) {
#pragma OPENCL FP_CONTRACT OFF
    int i = get_global_id(0);
    if (i >= rows * taps) return;
    w[i] = (float) (v[i] * scale[i % taps]);
}

// One work-item per tap k: stats[2k] = ||v_k||^2, stats[2k+1] = <dW_k, v_k> (in order over rows);
// dg[k] += dot / ||v_k||.
__kernel void weight_norm_backward_taps(__global acc_t* stats, __global float* dg, __global const float* dW,
                                        __global const float* v, int rows, int taps) {
#pragma OPENCL FP_CONTRACT OFF
    int k = get_global_id(0);
    if (k >= taps) return;
    acc_t norm2 = 0, dot = 0;
    for (int r = 0; r < rows; r++) {
        acc_t x = v[r * taps + k];
        norm2 += x * x;
        dot += dW[r * taps + k] * x;
    }
    stats[2 * k] = norm2;
    stats[2 * k + 1] = dot;
    dg[k] += (float) (dot / sqrt(norm2));
}

// dv += (g_k / ||v_k||) (dW - dot_k v / ||v_k||^2), the Java expression's order.
__kernel void weight_norm_backward_v(__global float* dv, __global const float* dW, __global const float* g,
                                     __global const float* v, __global const acc_t* stats, int rows, int taps) {
#pragma OPENCL FP_CONTRACT OFF
    int i = get_global_id(0);
    if (i >= rows * taps) return;
    int k = i % taps;
    acc_t norm2 = stats[2 * k], dot = stats[2 * k + 1];
    acc_t nk = sqrt(norm2);
    dv[i] += (float) (g[k] / nk * (dW[i] - dot * v[i] / norm2));
}

// ---- masked-row gather and its backward (w2v4j.kernels.Rows); one work-item per (row i, channel c)

__kernel void gather_rows(__global float* out, __global const float* src, int dim, __global const int* rows, int count) {
    int id = get_global_id(0);
    if (id >= count * dim) return;
    int i = id / dim, c = id % dim;
    out[id] = src[rows[i] * dim + c];
}

// the rows are distinct, so no two work-items add into the same element
__kernel void scatter_add_rows(__global float* dst, __global const float* src, int dim, __global const int* rows, int count) {
    int id = get_global_id(0);
    if (id >= count * dim) return;
    int i = id / dim, c = id % dim;
    dst[rows[i] * dim + c] += src[id];
}

// Multi-head attention with a key padding mask, q/k/v/out [batch, t, heads*hd], head h of frame i
// the slice [h*hd, (h+1)*hd) of row i. One work-item per (batch item, head, row); nothing of size
// t x t is ever stored: the forward makes two passes over the keys (row maximum, then the
// exponentials and their weighted sum of values), and the backward recomputes the probabilities
// from q, k and the forward's log-sum-exp (FlashAttention's trade). Keys j >= valid[b] are left
// out (PyTorch's -inf mask). MAX_HD bounds the private accumulators; the host checks hd <= MAX_HD.
#define MAX_HD 128

float dot_hd(__global const float* a, __global const float* b, int hd) {
    float s = 0.0f;
    for (int e = 0; e < hd; e++) s = fma(a[e], b[e], s);
    return s;
}

__kernel void attention_forward(__global float* out, __global const float* q, __global const float* k,
                                __global const float* v, __global const int* valid, int batch, int t, int heads,
                                int hd, float scale, int save, __global float* lse) {
    int gid = get_global_id(0);
    if (gid >= batch * heads * t) return;
    int i = gid % t, bh = gid / t, h = bh % heads, b = bh / heads;
    int d = heads * hd, len = valid[b];
    long base = (long) b * t * d + h * hd;
    __global const float* qi = q + base + (long) i * d;
    __global float* oi = out + base + (long) i * d;
    if (len == 0) { // nothing to attend to: zero output, lse 0 (as the Java backend)
        for (int e = 0; e < hd; e++) oi[e] = 0.0f;
        if (save) lse[gid] = 0.0f;
        return;
    }
    float m = -INFINITY;
    for (int j = 0; j < len; j++) m = fmax(m, scale * dot_hd(qi, k + base + (long) j * d, hd));
    float acc[MAX_HD];
    for (int e = 0; e < hd; e++) acc[e] = 0.0f;
    float l = 0.0f;
    for (int j = 0; j < len; j++) {
        float p = exp(scale * dot_hd(qi, k + base + (long) j * d, hd) - m);
        l += p;
        __global const float* vj = v + base + (long) j * d;
        for (int e = 0; e < hd; e++) acc[e] = fma(p, vj[e], acc[e]);
    }
    float inv = 1.0f / l;
    for (int e = 0; e < hd; e++) oi[e] = acc[e] * inv;
    if (save) lse[gid] = m + log(l);
}

// rowDot[b,h,i] = dOut_i . out_i (= rowsum(P o dP)), the softmax-backward shift.
__kernel void attention_row_dot(__global float* rowDot, __global const float* dOut, __global const float* out,
                                int batch, int t, int heads, int hd) {
    int gid = get_global_id(0);
    if (gid >= batch * heads * t) return;
    int i = gid % t, bh = gid / t, h = bh % heads, b = bh / heads;
    int d = heads * hd;
    long row = (long) b * t * d + h * hd + (long) i * d;
    rowDot[gid] = dot_hd(dOut + row, out + row, hd);
}

// dQ_i += scale * sum_j dS_ij K_j with P_ij = exp(scale q_i.k_j - lse_i), dS_ij = P_ij (dO_i.v_j - rowDot_i).
__kernel void attention_backward_q(__global float* dQ, __global const float* dOut, __global const float* q,
                                   __global const float* k, __global const float* v, __global const float* lse,
                                   __global const float* rowDot, __global const int* valid, int batch, int t,
                                   int heads, int hd, float scale) {
    int gid = get_global_id(0);
    if (gid >= batch * heads * t) return;
    int i = gid % t, bh = gid / t, h = bh % heads, b = bh / heads;
    int d = heads * hd, len = valid[b];
    long base = (long) b * t * d + h * hd, row = base + (long) i * d;
    float acc[MAX_HD];
    for (int e = 0; e < hd; e++) acc[e] = 0.0f;
    float li = lse[gid], di = rowDot[gid];
    for (int j = 0; j < len; j++) {
        __global const float* kj = k + base + (long) j * d;
        float p = exp(scale * dot_hd(q + row, kj, hd) - li);
        float ds = p * (dot_hd(dOut + row, v + base + (long) j * d, hd) - di);
        for (int e = 0; e < hd; e++) acc[e] = fma(ds, kj[e], acc[e]);
    }
    for (int e = 0; e < hd; e++) dQ[row + e] += scale * acc[e];
}

// For a valid key j: dV_j += sum_i P_ij dO_i and dK_j += scale * sum_i dS_ij q_i, over all t query
// rows (padded queries included, as in the Java backend). Masked keys get no gradient.
__kernel void attention_backward_kv(__global float* dK, int hasDK, __global float* dV, int hasDV,
                                    __global const float* dOut, __global const float* q, __global const float* k,
                                    __global const float* v, __global const float* lse,
                                    __global const float* rowDot, __global const int* valid, int batch, int t,
                                    int heads, int hd, float scale) {
    int gid = get_global_id(0);
    if (gid >= batch * heads * t) return;
    int j = gid % t, bh = gid / t, h = bh % heads, b = bh / heads;
    int d = heads * hd, len = valid[b];
    if (j >= len) return;
    long base = (long) b * t * d + h * hd, rowJ = base + (long) j * d;
    float accK[MAX_HD], accV[MAX_HD];
    for (int e = 0; e < hd; e++) {
        accK[e] = 0.0f;
        accV[e] = 0.0f;
    }
    int lseBase = bh * t;
    for (int i = 0; i < t; i++) {
        long row = base + (long) i * d;
        float p = exp(scale * dot_hd(q + row, k + rowJ, hd) - lse[lseBase + i]);
        __global const float* doi = dOut + row;
        if (hasDV) for (int e = 0; e < hd; e++) accV[e] = fma(p, doi[e], accV[e]);
        if (hasDK) {
            float ds = p * (dot_hd(doi, v + rowJ, hd) - rowDot[lseBase + i]);
            for (int e = 0; e < hd; e++) accK[e] = fma(ds, q[row + e], accK[e]);
        }
    }
    if (hasDV) for (int e = 0; e < hd; e++) dV[rowJ + e] += accV[e];
    if (hasDK) for (int e = 0; e < hd; e++) dK[rowJ + e] += scale * accK[e];
}

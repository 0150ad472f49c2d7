// LayerNorm over rows and GroupNorm of time-major sequences, forward and backward. Statistics are
// two-pass (mean, then mean squared deviation) in acc_t. The forwards work in place (out == inp):
// every element is read and written by the same work-item, after the reductions.

// One work-group (RED work-items) per row of inp[rows, dim]. save != 0 stores mean and rstd [rows].
__kernel void layer_norm(__global float* out, int outOff, __global const float* inp, int inpOff,
                         __global const float* gamma, __global const float* beta, int dim, float eps,
                         int save, __global float* mean, __global float* rstd) {
    __local acc_t s[RED];
    int r = get_group_id(0), l = get_local_id(0);
    __global const float* x = inp + inpOff + (long) r * dim;
    __global float* y = out + outOff + (long) r * dim;
    acc_t acc = 0;
    for (int i = l; i < dim; i += RED) acc += x[i];
    float m = (float) (wg_sum(acc, s) / dim);
    acc = 0;
    for (int i = l; i < dim; i += RED) {
        acc_t d = x[i] - m;
        acc += d * d;
    }
    float inv = (float) (1.0 / sqrt(wg_sum(acc, s) / dim + eps));
    if (save && l == 0) {
        mean[r] = m;
        rstd[r] = inv;
    }
    for (int i = l; i < dim; i += RED) y[i] = (x[i] - m) * inv * gamma[i] + beta[i];
}

// Input gradient, one work-group per row: g = dOut * gamma, xhat = (x - mean) * rstd,
// dInp += rstd * (g - mean(g) - xhat * mean(g * xhat)).
__kernel void layer_norm_backward_input(__global float* dInp, int dInpOff, __global const float* dOut, int dOutOff,
                                        __global const float* inp, int inpOff, __global const float* gamma,
                                        __global const float* mean, __global const float* rstd, int dim) {
    __local acc_t s[RED];
    int r = get_group_id(0), l = get_local_id(0);
    long o = (long) r * dim;
    float m = mean[r], rs = rstd[r];
    acc_t sg = 0, sgx = 0;
    for (int i = l; i < dim; i += RED) {
        float g = dOut[dOutOff + o + i] * gamma[i];
        sg += g;
        sgx += g * ((inp[inpOff + o + i] - m) * rs);
    }
    float meanG = (float) (wg_sum(sg, s) / dim);
    float meanGx = (float) (wg_sum(sgx, s) / dim);
    for (int i = l; i < dim; i += RED) {
        float xhat = (inp[inpOff + o + i] - m) * rs;
        dInp[dInpOff + o + i] += (dOut[dOutOff + o + i] * gamma[i] - meanG - xhat * meanGx) * rs;
    }
}

// Parameter gradients, one work-item per column walking all rows in order:
// dGamma += sum dOut * xhat, dBeta += sum dOut (each only when its flag is set).
__kernel void layer_norm_backward_params(__global float* dGamma, int hasGamma, __global float* dBeta, int hasBeta,
                                         __global const float* dOut, int dOutOff, __global const float* inp,
                                         int inpOff, __global const float* mean, __global const float* rstd,
                                         int rows, int dim) {
    int c = get_global_id(0);
    if (c >= dim) return;
    acc_t sb = 0, sgm = 0;
    for (int r = 0; r < rows; r++) {
        float g = dOut[dOutOff + (long) r * dim + c];
        sb += g;
        sgm += g * ((inp[inpOff + (long) r * dim + c] - mean[r]) * rstd[r]);
    }
    if (hasBeta) dBeta[c] += (float) sb;
    if (hasGamma) dGamma[c] += (float) sgm;
}

// GroupNorm of x[t, channels]: one work-group per group, statistics over its cpg channels and the
// first `valid` frames; frames >= valid are set to zero. save != 0 stores mean and rstd [groups].
__kernel void group_norm(__global float* out, __global const float* inp, __global const float* gamma,
                         __global const float* beta, int t, int valid, int channels, int cpg, float eps,
                         int save, __global float* mean, __global float* rstd) {
    __local acc_t s[RED];
    int g = get_group_id(0), l = get_local_id(0);
    int n = valid * cpg, c0 = g * cpg;
    acc_t acc = 0;
    for (int e = l; e < n; e += RED) acc += inp[(long) (e / cpg) * channels + c0 + e % cpg];
    float m = (float) (wg_sum(acc, s) / n);
    acc = 0;
    for (int e = l; e < n; e += RED) {
        acc_t d = inp[(long) (e / cpg) * channels + c0 + e % cpg] - (acc_t) m;
        acc += d * d;
    }
    float inv = (float) (1.0 / sqrt(wg_sum(acc, s) / n + eps));
    if (save && l == 0) {
        mean[g] = m;
        rstd[g] = inv;
    }
    for (int e = l; e < t * cpg; e += RED) {
        int f = e / cpg, c = c0 + e % cpg;
        long i = (long) f * channels + c;
        // (x - mean) * (rstd * gamma), as the Java backend: the folded x * scale + shift would
        // cancel catastrophically for a tiny variance.
        out[i] = f < valid ? (inp[i] - m) * (inv * gamma[c]) + beta[c] : 0.0f;
    }
}

// Backward step 1, one work-item per channel: sums over valid frames of dOut and dOut * xhat into
// chan[c] and chan[channels + c]; adds them into dBeta, dGamma when their flags are set.
__kernel void group_norm_backward_channels(__global float* chan, __global float* dGamma, int hasGamma,
                                           __global float* dBeta, int hasBeta, __global const float* dOut,
                                           __global const float* inp, __global const float* mean,
                                           __global const float* rstd, int valid, int channels, int cpg) {
    int c = get_global_id(0);
    if (c >= channels) return;
    float m = mean[c / cpg], rs = rstd[c / cpg];
    acc_t sd = 0, sdx = 0;
    for (int f = 0; f < valid; f++) {
        long i = (long) f * channels + c;
        float d = dOut[i];
        sd += d;
        sdx += d * ((inp[i] - m) * rs);
    }
    chan[c] = (float) sd;
    chan[channels + c] = (float) sdx;
    if (hasBeta) dBeta[c] += (float) sd;
    if (hasGamma) dGamma[c] += (float) sdx;
}

// Backward step 2, one work-item per group: grp[g] = mean over the group of gamma * dOut,
// grp[groups + g] = mean of gamma * dOut * xhat (from the per-channel sums).
__kernel void group_norm_backward_groups(__global float* grp, __global const float* chan, __global const float* gamma,
                                         int valid, int channels, int cpg, int groups) {
    int g = get_global_id(0);
    if (g >= groups) return;
    acc_t sg = 0, sgx = 0;
    for (int c = g * cpg; c < (g + 1) * cpg; c++) {
        sg += gamma[c] * (acc_t) chan[c];
        sgx += gamma[c] * (acc_t) chan[channels + c];
    }
    acc_t n = (acc_t) valid * cpg;
    grp[g] = (float) (sg / n);
    grp[groups + g] = (float) (sgx / n);
}

// Backward step 3, one work-item per valid element: dInp += rstd * (dOut * gamma - mean(g) - xhat * mean(g xhat)).
__kernel void group_norm_backward_input(__global float* dInp, __global const float* dOut, __global const float* inp,
                                        __global const float* gamma, __global const float* mean,
                                        __global const float* rstd, __global const float* grp, int valid,
                                        int channels, int cpg, int groups) {
    int i = get_global_id(0);
    if (i >= valid * channels) return;
    int c = i % channels, g = c / cpg;
    float rs = rstd[g];
    float xhat = (inp[i] - mean[g]) * rs;
    dInp[i] += (dOut[i] * gamma[c] - grp[g] - xhat * grp[groups + g]) * rs;
}

// Helpers of the time-major convolution, which is otherwise GEMM (see OpenClBackend#conv1d).

// pad[rows = tIn + 2*padding, cg] = the channels [g*cg, (g+1)*cg) of inp[tIn, cIn], zero-padded
// by `padding` frames on both sides: one group's input for the overlapping-window GEMM.
__kernel void pad_group(__global float* pad, __global const float* inp, int tIn, int cIn, int cg, int g, int padding) {
    int i = get_global_id(0);
    int rows = tIn + 2 * padding;
    if (i >= rows * cg) return;
    int r = i / cg, c = i % cg, ti = r - padding;
    pad[i] = (ti >= 0 && ti < tIn) ? inp[(long) ti * cIn + g * cg + c] : 0.0f;
}

int floor_div(int a, int b) {
    return a >= 0 ? a / b : -((-a + b - 1) / b);
}

// col2im as a gather: for input frame ti in [ti0, ti1) and channel c < cg,
// dInp[ti, col0 + c] += sum of dWin rows t in [t0, t1) whose window covers the frame
// (tap j = ti + padding - t*stride in [0, ksize)); dWin is [t1 - t0, kernel*cg]. Each work-item
// owns one element of dInp, so no atomics are needed.
__kernel void conv_gather(__global float* dInp, int cIn, int col0, __global const float* dWin, int ksize, int cg,
                          int stride, int padding, int t0, int t1, int ti0, int ti1) {
    int i = get_global_id(0);
    if (i >= (ti1 - ti0) * cg) return;
    int ti = ti0 + i / cg, c = i % cg;
    int pf = ti + padding, kw = ksize * cg;
    int lo = max(t0, -floor_div(-(pf - ksize + 1), stride)); // ceil((pf - kernel + 1) / stride)
    int hi = min(t1 - 1, floor_div(pf, stride));
    float s = 0.0f;
    for (int t = lo; t <= hi; t++) s += dWin[(long) (t - t0) * kw + (pf - t * stride) * cg + c];
    dInp[(long) ti * cIn + col0 + c] += s;
}

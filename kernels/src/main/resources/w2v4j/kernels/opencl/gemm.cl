// Tiled SGEMM on row-major matrices: C = alpha * op(A) * op(B) + beta * C, op(A) [M, K],
// op(B) [K, N], C [M, N]; lda/ldb/ldc are row strides of the stored matrices and may be smaller
// than a row (overlapping convolution windows). A work-group of TS x TS work-items owns a TS x TS
// tile of C; per step of TS along K each work-item loads one element of the A tile and one of the
// B tile into local memory (zero outside the matrices), then every work-item reads a row of As
// and a column of Bs from local memory. With beta == 0 C is not read (it may hold NaN).
#define TS 16

__kernel void sgemm(int transA, int transB, int M, int N, int K, float alpha,
                    __global const float* A, int aOff, int lda,
                    __global const float* B, int bOff, int ldb,
                    float beta, __global float* C, int cOff, int ldc) {
    __local float As[TS][TS];
    __local float Bs[TS][TS + 1]; // +1: column reads of Bs hit different banks on GPUs
    int lc = get_local_id(0), lr = get_local_id(1);
    int col = get_group_id(0) * TS + lc, row = get_group_id(1) * TS + lr;
    float acc = 0.0f;
    for (int k0 = 0; k0 < K; k0 += TS) {
        int ka = k0 + lc; // As[lr][lc] = op(A)[row, k0 + lc]
        As[lr][lc] = (row < M && ka < K)
                ? (transA ? A[aOff + (long) ka * lda + row] : A[aOff + (long) row * lda + ka]) : 0.0f;
        int kb = k0 + lr; // Bs[lr][lc] = op(B)[k0 + lr, col]
        Bs[lr][lc] = (kb < K && col < N)
                ? (transB ? B[bOff + (long) col * ldb + kb] : B[bOff + (long) kb * ldb + col]) : 0.0f;
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TS; kk++) acc = fma(As[lr][kk], Bs[kk][lc], acc);
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (row < M && col < N) {
        long ci = cOff + (long) row * ldc + col;
        C[ci] = beta == 0.0f ? alpha * acc : alpha * acc + beta * C[ci];
    }
}

// out[off + r*ld + c] = row[c] for r < rows, c < dim (the bias before a GEMM with beta = 1).
__kernel void fill_rows(__global float* out, int off, int ld, __global const float* row, int rows, int dim) {
    int i = get_global_id(0);
    if (i >= rows * dim) return;
    int r = i / dim, c = i % dim;
    out[off + (long) r * ld + c] = row[c];
}

// sums[c] += sum over r < rows of x[off + r*ld + c]: one work-item per column walks the rows in
// order (no atomics, the same result on every run).
__kernel void col_sums(__global float* sums, __global const float* x, int off, int rows, int cols, int ld) {
    int c = get_global_id(0);
    if (c >= cols) return;
    acc_t s = 0;
    for (int r = 0; r < rows; r++) s += x[off + (long) r * ld + c];
    sums[c] += (float) s;
}

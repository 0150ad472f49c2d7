// Tiled, register-blocked SGEMM on row-major matrices: C = alpha * op(A) * op(B) + beta * C,
// op(A) [M, K], op(B) [K, N], C [M, N]; lda/ldb/ldc are row strides of the stored matrices and may
// be smaller than a row (overlapping convolution windows). A work-group of TS x TS (16 x 16)
// work-items owns a BM x BN (64 x 64) tile of C, each work-item a 4 x 4 block of it, strided by 16
// so that neighbouring work-items read neighbouring local-memory words. Per step of BK along K the
// group stages a BM x BK slice of op(A) and a BK x BN slice of op(B) in local memory (zero outside
// the matrices; each load walks the stored matrix's contiguous direction), then every work-item
// does 4 x 4 multiply-adds per k from registers: 8 local reads per 16 FMAs instead of 2 per 1.
// Every output sums its k terms in increasing order with fma, one term per step, as before the
// blocking. With beta == 0 C is not read (it may hold NaN).
#define TS 16
#define BM 64
#define BN 64
#define BK 16
#define RM (BM / TS)
#define RN (BN / TS)

__kernel void sgemm(int transA, int transB, int M, int N, int K, float alpha,
                    __global const float* A, int aOff, int lda,
                    __global const float* B, int bOff, int ldb,
                    float beta, __global float* C, int cOff, int ldc) {
    __local float As[BK][BM];
    __local float Bs[BK][BN];
    int tx = get_local_id(0), ty = get_local_id(1), tid = ty * TS + tx;
    int m0 = get_group_id(1) * BM, n0 = get_group_id(0) * BN;
    float acc[RM][RN];
    for (int i = 0; i < RM; i++)
        for (int j = 0; j < RN; j++) acc[i][j] = 0.0f;
    for (int k0 = 0; k0 < K; k0 += BK) {
        for (int e = tid; e < BM * BK; e += TS * TS) {
            // stored A is [M, lda] (k contiguous) or, transposed, [K, lda] (m contiguous)
            int m = transA ? e % BM : e / BK, k = transA ? e / BM : e % BK;
            int gm = m0 + m, gk = k0 + k;
            As[k][m] = (gm < M && gk < K)
                    ? (transA ? A[aOff + (long) gk * lda + gm] : A[aOff + (long) gm * lda + gk]) : 0.0f;
        }
        for (int e = tid; e < BK * BN; e += TS * TS) {
            // stored B is [K, ldb] (n contiguous) or, transposed, [N, ldb] (k contiguous)
            int n = transB ? e / BK : e % BN, k = transB ? e % BK : e / BN;
            int gn = n0 + n, gk = k0 + k;
            Bs[k][n] = (gk < K && gn < N)
                    ? (transB ? B[bOff + (long) gn * ldb + gk] : B[bOff + (long) gk * ldb + gn]) : 0.0f;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < BK; kk++) {
            float a[RM], b[RN];
            for (int i = 0; i < RM; i++) a[i] = As[kk][ty + i * TS];
            for (int j = 0; j < RN; j++) b[j] = Bs[kk][tx + j * TS];
            for (int i = 0; i < RM; i++)
                for (int j = 0; j < RN; j++) acc[i][j] = fma(a[i], b[j], acc[i][j]);
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < RM; i++) {
        int row = m0 + ty + i * TS;
        if (row >= M) continue;
        for (int j = 0; j < RN; j++) {
            int col = n0 + tx + j * TS;
            if (col >= N) continue;
            long ci = cOff + (long) row * ldc + col;
            C[ci] = beta == 0.0f ? alpha * acc[i][j] : alpha * acc[i][j] + beta * C[ci];
        }
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

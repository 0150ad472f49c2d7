// Shared definitions, prepended to every other source of the program.
//
// acc_t: the type of long reductions (norm statistics, sums of squares, column sums). double where
// the device has cl_khr_fp64 (PoCL and NVIDIA do), so that these sums match the Java backend's
// double accumulation closely; float elsewhere (the differential tolerances allow for that).
#if defined(cl_khr_fp64)
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double acc_t;
#else
typedef float acc_t;
#endif

// Work-group size of the row reductions (layer norm, group norm, sum of squares). A power of two.
#define RED 64

// Sum of v over the work-group (all RED work-items must call it). s: RED slots of local memory.
acc_t wg_sum(acc_t v, __local acc_t* s) {
    int l = get_local_id(0);
    s[l] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int o = RED / 2; o > 0; o >>= 1) {
        if (l < o) s[l] += s[l + o];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    acc_t r = s[0];
    barrier(CLK_LOCAL_MEM_FENCE); // s is reused by the next call
    return r;
}

package w2v4j.kernels.opencl;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

import org.jocl.CL;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_mem;

import w2v4j.kernels.TransferStats;

/**
 * Device memory of one backend, and the only place that copies between host and device (so the
 * counts in {@link #stats} are complete).
 *
 * <ul>
 *   <li><b>Resident arrays</b> ({@link #constant}): one device buffer per host array (identity,
 *   not contents), uploaded once and trusted until {@link #invalidate}. The model declares its
 *   weights this way.</li>
 *   <li><b>Bound arrays</b> ({@link #bind}): working memory (activations, their gradients) with
 *   one device buffer each, written by calls on the device and copied back only by
 *   {@link #syncToHost}. Each records which side is current; a call that reads a bound array whose
 *   host side is newer ({@link #hostWrote}) uploads it first. With the system property
 *   {@code w2v4j.opencl.poisonHost=true} (the tests) the host copy is filled with NaN whenever the
 *   device copy becomes the only current one, so a host read without {@link #syncToHost} shows.</li>
 *   <li><b>Pooled buffers</b> for everything else: each backend call stages the ranges of its array
 *   arguments into buffers taken from a pool ({@link Call}) and gives them back when it returns.
 *   Sizes are rounded up to powers of two so that a training step, which asks for the same sizes
 *   every time, reuses the same buffers.</li>
 * </ul>
 */
final class DeviceMemory implements AutoCloseable {

    private final ClProgram cl;
    private final Map<float[], cl_mem> resident = new IdentityHashMap<>();
    private final Map<float[], Bound> bound = new IdentityHashMap<>();
    private final boolean poisonHost = Boolean.getBoolean("w2v4j.opencl.poisonHost");
    private final Map<Long, ArrayDeque<cl_mem>> pool = new HashMap<>();
    private final Map<cl_mem, Long> pooledSize = new IdentityHashMap<>();
    private long h2dCalls, h2dBytes, d2hCalls, d2hBytes;

    DeviceMemory(ClProgram cl) {
        this.cl = cl;
    }

    ClProgram program() {
        return cl;
    }

    /** A bound array's device buffer and which copies are current (at least one always is). */
    static final class Bound {
        final cl_mem mem;
        boolean hostValid = true, deviceValid;

        Bound(cl_mem mem) {
            this.mem = mem;
        }
    }

    /** Makes {@code a} resident (one upload) unless it already is; a bound array is left to its binding. */
    void constant(float[] a) {
        if (resident.containsKey(a) || bound.containsKey(a)) return;
        cl_mem m = cl.createBuffer((long) a.length * Sizeof.cl_float);
        upload(m, 0, a, 0, a.length);
        resident.put(a, m);
    }

    /**
     * Drops the resident copy of {@code a} (if any): the next use stages the host's contents. A bound
     * array ignores this (its binding tracks which side is current; host writes are {@link #hostWrote}).
     */
    void invalidate(float[] a) {
        cl_mem m = resident.remove(a);
        if (m != null) CL.clReleaseMemObject(m);
    }

    /**
     * Binds {@code a} as working memory: its buffer is allocated now and filled from the host on first
     * use. A resident copy is dropped, not trusted: the host may have changed a constant array since
     * (the model's weights are re-declared lazily, see ResidentWeights).
     */
    void bind(float[] a) {
        if (bound.containsKey(a)) return;
        invalidate(a);
        bound.put(a, new Bound(cl.createBuffer((long) a.length * Sizeof.cl_float)));
    }

    /** The binding of {@code a}, or null. */
    Bound bound(float[] a) {
        return bound.get(a);
    }

    /** Uploads a bound array whose host copy is newer (the whole array: bindings are not split). */
    void makeDeviceCurrent(float[] a, Bound b) {
        if (b.deviceValid) return;
        upload(b.mem, 0, a, 0, a.length);
        b.deviceValid = true;
    }

    /** A call wrote a bound array on the device: the host copy is stale until {@link #syncToHost}. */
    void deviceWrote(float[] a, Bound b) {
        b.deviceValid = true;
        if (!b.hostValid) return;
        b.hostValid = false;
        if (poisonHost) Arrays.fill(a, Float.NaN);
    }

    void syncToHost(float[] a) {
        Bound b = bound.get(a);
        if (b == null || b.hostValid) return;
        download(b.mem, 0, a, 0, a.length);
        b.hostValid = true;
    }

    void hostWrote(float[] a) {
        Bound b = bound.get(a);
        if (b == null) return;
        if (!b.hostValid) throw new IllegalStateException("the host wrote a bound array whose device copy is newer; syncToHost first");
        b.deviceValid = false;
    }

    void unbind(float[] a) {
        syncToHost(a);
        Bound b = bound.remove(a);
        if (b != null) CL.clReleaseMemObject(b.mem);
    }

    int boundCount() {
        return bound.size();
    }

    /** The resident buffer of {@code a}, or null. */
    cl_mem residentBuffer(float[] a) {
        return resident.get(a);
    }

    int residentCount() {
        return resident.size();
    }

    /** A new staging scope for one backend call; close it to copy outputs back and free its buffers. */
    Call call() {
        return new Call(this);
    }

    cl_mem acquire(long bytes) {
        long size = Long.highestOneBit(Math.max(1024, bytes) - 1) << 1; // next power of two >= bytes
        ArrayDeque<cl_mem> free = pool.get(size);
        if (free != null && !free.isEmpty()) return free.pop();
        cl_mem m = cl.createBuffer(size);
        pooledSize.put(m, size);
        return m;
    }

    void release(cl_mem m) {
        pool.computeIfAbsent(pooledSize.get(m), s -> new ArrayDeque<>()).push(m);
    }

    /** Blocking copy of {@code a[from, from+n)} to element {@code at} of {@code m}. */
    void upload(cl_mem m, long at, float[] a, int from, int n) {
        if (n <= 0) return;
        CL.clEnqueueWriteBuffer(cl.queue, m, true, at * Sizeof.cl_float, (long) n * Sizeof.cl_float,
                Pointer.to(a).withByteOffset((long) from * Sizeof.cl_float), 0, null, null);
        h2dCalls++;
        h2dBytes += (long) n * Sizeof.cl_float;
    }

    void upload(cl_mem m, int[] a) {
        if (a.length == 0) return;
        CL.clEnqueueWriteBuffer(cl.queue, m, true, 0, (long) a.length * Sizeof.cl_int, Pointer.to(a), 0, null, null);
        h2dCalls++;
        h2dBytes += (long) a.length * Sizeof.cl_int;
    }

    /** Blocking copy of {@code n} floats from element {@code at} of {@code m} to {@code a[from, from+n)}. */
    void download(cl_mem m, long at, float[] a, int from, int n) {
        if (n <= 0) return;
        CL.clEnqueueReadBuffer(cl.queue, m, true, at * Sizeof.cl_float, (long) n * Sizeof.cl_float,
                Pointer.to(a).withByteOffset((long) from * Sizeof.cl_float), 0, null, null);
        d2hCalls++;
        d2hBytes += (long) n * Sizeof.cl_float;
    }

    void download(cl_mem m, double[] a) {
        CL.clEnqueueReadBuffer(cl.queue, m, true, 0, (long) a.length * Sizeof.cl_double, Pointer.to(a), 0, null, null);
        d2hCalls++;
        d2hBytes += (long) a.length * Sizeof.cl_double;
    }

    TransferStats stats() {
        return new TransferStats(h2dCalls, h2dBytes, d2hCalls, d2hBytes);
    }

    @Override
    public void close() {
        for (cl_mem m : resident.values()) CL.clReleaseMemObject(m);
        resident.clear();
        for (Bound b : bound.values()) CL.clReleaseMemObject(b.mem);
        bound.clear();
        for (cl_mem m : pooledSize.keySet()) CL.clReleaseMemObject(m);
        pooledSize.clear();
        pool.clear();
    }
}

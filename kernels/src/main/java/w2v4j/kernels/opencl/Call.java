package w2v4j.kernels.opencl;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.jocl.cl_mem;

/**
 * The host/device copies of one backend call (the residency rule for non-resident arrays):
 * every array argument is declared with the element range the call reads and/or writes; then
 * {@link #stage} uploads what is read, the kernels run, and {@link #close} downloads exactly the
 * written ranges and returns the buffers to the pool. So each call leaves its outputs valid on
 * the host, and the host may touch any array between calls. Resident arrays
 * ({@link DeviceMemory#constant}) are used in place and never copied; writing one is an error.
 *
 * <p>A non-resident range {@code [lo, hi)} is staged at element 0 of its buffer, so kernels get
 * offsets relative to {@code lo} ({@link Arg#off}). Bound arrays ({@link DeviceMemory#bind}) are used in
 * place like resident ones but may be written; their writes stay on the device. The same array passed twice (in place,
 * {@code out == inp}) is one argument whose range covers both uses. A written range that is not
 * contiguous (a strided GEMM output) must be declared {@link #inout}, so that the bytes between its
 * rows are the host's when copied back.
 */
final class Call implements AutoCloseable {

    /** One array argument of the call. */
    static final class Arg {
        final float[] array;
        long lo, hi;
        boolean read;
        final List<long[]> writes = new ArrayList<>();
        cl_mem mem;
        long base;
        boolean pooled;
        DeviceMemory.Bound binding;

        Arg(float[] array, long lo, long hi) {
            this.array = array;
            this.lo = lo;
            this.hi = hi;
        }

        /** The buffer holding the array (after {@link Call#stage}). */
        cl_mem mem() {
            return mem;
        }

        /** Host offset {@code o} as an offset into {@link #mem}. */
        int off(long o) {
            return Math.toIntExact(o - base);
        }
    }

    private final DeviceMemory memory;
    private final Map<float[], Arg> args = new IdentityHashMap<>();
    private final List<cl_mem> scratch = new ArrayList<>();
    private boolean staged;

    Call(DeviceMemory memory) {
        this.memory = memory;
    }

    /** {@code a[lo, hi)} is read. */
    Arg in(float[] a, long lo, long hi) {
        Arg g = arg(a, lo, hi);
        g.read = true;
        return g;
    }

    /** {@code a[lo, hi)} is entirely overwritten and not read. */
    Arg out(float[] a, long lo, long hi) {
        Arg g = arg(a, lo, hi);
        g.writes.add(new long[]{lo, hi});
        return g;
    }

    /** {@code a[lo, hi)} is read and written (accumulated into, or written with gaps). */
    Arg inout(float[] a, long lo, long hi) {
        in(a, lo, hi);
        return out(a, lo, hi);
    }

    private Arg arg(float[] a, long lo, long hi) {
        if (staged) throw new IllegalStateException("arguments must be declared before stage()");
        if (lo < 0 || hi > a.length || lo > hi) {
            throw new ArrayIndexOutOfBoundsException("range [" + lo + ", " + hi + ") of an array of " + a.length);
        }
        Arg g = args.get(a);
        if (g == null) {
            g = new Arg(a, lo, hi);
            args.put(a, g);
        } else {
            g.lo = Math.min(g.lo, lo);
            g.hi = Math.max(g.hi, hi);
        }
        return g;
    }

    /** A device buffer of {@code floats} (at least one) for this call only. */
    cl_mem scratch(long floats) {
        cl_mem m = memory.acquire(Math.max(1, floats) * 4);
        scratch.add(m);
        return m;
    }

    /** A device copy of {@code ints}, for this call only. */
    cl_mem ints(int[] ints) {
        cl_mem m = memory.acquire(Math.max(1, ints.length) * 4L);
        scratch.add(m);
        memory.upload(m, ints);
        return m;
    }

    /** Allocates or finds the buffers and uploads every read range. */
    void stage() {
        staged = true;
        for (Arg g : args.values()) {
            cl_mem r = memory.residentBuffer(g.array);
            if (r != null) {
                if (!g.writes.isEmpty()) {
                    throw new IllegalStateException("a backend call writes an array declared constant; invalidate it first");
                }
                g.mem = r;
                g.base = 0;
                continue;
            }
            DeviceMemory.Bound b = memory.bound(g.array);
            if (b != null) {
                // working memory: used in place; uploaded only if the host side is newer and the call
                // does not overwrite all of it
                boolean overwritesAll = !g.read && g.writes.stream().anyMatch(w -> w[0] == 0 && w[1] == g.array.length);
                if (!overwritesAll) memory.makeDeviceCurrent(g.array, b);
                g.binding = b;
                g.mem = b.mem;
                g.base = 0;
                continue;
            }
            g.mem = memory.acquire((g.hi - g.lo) * 4);
            g.pooled = true;
            g.base = g.lo;
            if (g.read) memory.upload(g.mem, 0, g.array, (int) g.lo, (int) (g.hi - g.lo));
        }
    }

    /** Copies the written ranges back (this waits for the kernels) and frees the call's buffers. */
    @Override
    public void close() {
        try {
            if (staged) {
                for (Arg g : args.values()) {
                    if (g.binding != null) {
                        if (!g.writes.isEmpty()) memory.deviceWrote(g.array, g.binding);
                        continue;
                    }
                    for (long[] w : g.writes) {
                        memory.download(g.mem, w[0] - g.base, g.array, (int) w[0], (int) (w[1] - w[0]));
                    }
                }
            }
        } finally {
            for (Arg g : args.values()) if (g.pooled) memory.release(g.mem);
            for (cl_mem m : scratch) memory.release(m);
        }
    }
}

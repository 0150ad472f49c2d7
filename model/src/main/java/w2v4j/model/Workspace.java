package w2v4j.model;

import java.util.ArrayList;
import java.util.List;

import w2v4j.kernels.Backend;
import w2v4j.kernels.JavaBackend;

/**
 * A bump allocator over persistent arrays: {@link #reset()} at the start of a step, then each
 * {@link #next} hands out the next array, grown only when a larger shape arrives. A training step
 * asks for its buffers in the same order every time, so after the first step of a given batch
 * shape nothing is allocated. Arrays may be longer than asked for; callers pass explicit sizes.
 *
 * <p>Arrays are the given backend's working memory: every array is {@link Backend#bind bound}
 * (unbound when a larger one replaces it) and {@link #zeroed} zeroes on the backend, so on a device
 * the arrays need not visit the host unless a caller syncs one.
 */
public final class Workspace {
    private final List<float[]> slots = new ArrayList<>();
    private final Backend backend;
    private int used;

    /** Host arrays only (the Java backend's). */
    public Workspace() {
        this(new JavaBackend());
    }

    /** Arrays bound to {@code backend} as working memory. */
    public Workspace(Backend backend) {
        this.backend = backend;
    }

    public void reset() {
        used = 0;
    }

    /** An array of at least {@code n} floats with unspecified contents. */
    public float[] next(int n) {
        if (used == slots.size()) slots.add(bound(new float[n]));
        float[] a = slots.get(used);
        if (a.length < n) {
            backend.unbind(a);
            a = bound(new float[n]);
            slots.set(used, a);
        }
        used++;
        return a;
    }

    /** An array whose first {@code n} floats are zero. */
    public float[] zeroed(int n) {
        float[] a = next(n);
        backend.fill(a, 0, n, 0f);
        return a;
    }

    private float[] bound(float[] a) {
        backend.bind(a);
        return a;
    }

    /** Total floats held, for memory reports. */
    public long floats() {
        long s = 0;
        for (float[] a : slots) s += a.length;
        return s;
    }
}

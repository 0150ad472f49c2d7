package w2v4j.kernels;

/**
 * A backend implementation, found through {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/w2v4j.kernels.BackendProvider}). {@link #available} must be cheap and
 * must not throw (an accelerator backend checks for its native library and a device here).
 */
public interface BackendProvider {

    /** The name used by {@code --backend NAME}. */
    String name();

    boolean available();

    /** Why {@link #available} is false, in one line (null when available). */
    String unavailableReason();

    /**
     * The devices this backend can run on, one line each, in the order {@code --device N} numbers
     * them (empty when there is nothing to choose). For {@code backend list}.
     */
    default java.util.List<String> devices() {
        return java.util.List.of();
    }

    /** A new backend on the given device index (ignored by backends with a single device). */
    Backend create(int device);
}

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

    /** A new backend on the given device index (ignored by backends with a single device). */
    Backend create(int device);
}

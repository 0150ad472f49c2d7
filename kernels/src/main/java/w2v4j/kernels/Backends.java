package w2v4j.kernels;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import w2v4j.core.W2vException;

/** Finds backends by name among the {@link BackendProvider}s on the class path. */
public final class Backends {

    /** The backend used when none is asked for. */
    public static final String DEFAULT = JavaBackend.NAME;

    private Backends() {
    }

    /** Every provider on the class path, available or not, in class-path order. */
    public static List<BackendProvider> list() {
        List<BackendProvider> providers = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            providers.add(p);
        }
        return providers;
    }

    /** The default backend ({@value #DEFAULT}). */
    public static Backend get() {
        return get(DEFAULT, 0);
    }

    public static Backend get(String name) {
        return get(name, 0);
    }

    /**
     * A new backend by name on the given device; an unknown name or an unavailable backend is a
     * {@link W2vException} that lists the known names or gives the reason.
     */
    public static Backend get(String name, int device) {
        List<BackendProvider> providers = list();
        for (BackendProvider p : providers) {
            if (p.name().equals(name)) {
                if (!p.available()) {
                    throw new W2vException("backend '" + name + "' is not available: " + p.unavailableReason());
                }
                return p.create(device);
            }
        }
        List<String> names = new ArrayList<>();
        for (BackendProvider p : providers) {
            names.add(p.name());
        }
        throw new W2vException("unknown backend '" + name + "' (known: " + String.join(", ", names) + ")");
    }
}

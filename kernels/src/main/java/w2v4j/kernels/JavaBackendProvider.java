package w2v4j.kernels;

/** Registers {@link JavaBackend} with {@link Backends}. Always available. */
public final class JavaBackendProvider implements BackendProvider {

    @Override
    public String name() {
        return JavaBackend.NAME;
    }

    @Override
    public boolean available() {
        return true;
    }

    @Override
    public String unavailableReason() {
        return null;
    }

    @Override
    public Backend create(int device) {
        return new JavaBackend();
    }
}

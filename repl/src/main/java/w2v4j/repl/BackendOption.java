package w2v4j.repl;

import picocli.CommandLine.Option;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;

/** {@code --backend NAME --device N} for every command that computes (a picocli mixin). */
final class BackendOption {
    @Option(names = "--backend", defaultValue = "java", paramLabel = "NAME", description = "Compute backend (default ${DEFAULT-VALUE}; 'backend list' shows them).")
    String name;

    @Option(names = "--device", defaultValue = "0", paramLabel = "N", description = "Device index for accelerated backends.")
    int device;

    Backend open() {
        return Backends.get(name, device);
    }
}

package w2v4j.model;

import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Named model configurations: the paper's BASE and LARGE. */
public final class Presets {
    private Presets() {
    }

    public static final List<String> NAMES = List.of("base", "large");

    /** For picocli completion of {@code --preset}. */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return new ArrayList<>(NAMES).iterator();
        }
    }

    public static Wav2Vec2Config get(String name) {
        return switch (name) {
            case "base" -> Wav2Vec2Config.base();
            case "large" -> Wav2Vec2Config.large();
            default -> throw new W2vException("unknown preset '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }
}

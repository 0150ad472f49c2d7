package w2v4j.model;

import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Named model configurations: the paper's BASE and LARGE, and two small ones that train at a
 * useful speed on a 2-core CPU. The small ones keep the standard 7-layer encoder geometry (20 ms
 * frames, 25 ms receptive field) with narrow channels, because the 512-channel convolutions are
 * what dominates BASE's cost.
 */
public final class Presets {
    private Presets() {
    }

    public static final List<String> NAMES = List.of("micro", "tiny", "base", "large");

    /** For picocli completion of {@code --preset}. */
    public static final class Names implements Iterable<String> {
        @Override
        public Iterator<String> iterator() {
            return new ArrayList<>(NAMES).iterator();
        }
    }

    public static Wav2Vec2Config get(String name) {
        return switch (name) {
            // ~0.6M parameters: 64-channel encoder, 4 x 128-d layers, 2 x 64 codes
            case "micro" -> Wav2Vec2Config.base().toBuilder()
                    .convDim(new int[]{64, 64, 64, 64, 64, 64, 64})
                    .hiddenSize(128).numHiddenLayers(4).numAttentionHeads(4).intermediateSize(512)
                    .numConvPosEmbeddings(32).numConvPosEmbeddingGroups(8)
                    .numCodevectorGroups(2).numCodevectorsPerGroup(64).codevectorDim(64).projCodevectorDim(64)
                    .numNegatives(50).build();
            // ~5M parameters: 128-channel encoder, 6 x 256-d layers, 2 x 160 codes
            case "tiny" -> Wav2Vec2Config.base().toBuilder()
                    .convDim(new int[]{128, 128, 128, 128, 128, 128, 128})
                    .hiddenSize(256).numHiddenLayers(6).numAttentionHeads(4).intermediateSize(1024)
                    .numConvPosEmbeddings(64).numConvPosEmbeddingGroups(16)
                    .numCodevectorGroups(2).numCodevectorsPerGroup(160).codevectorDim(128).projCodevectorDim(128)
                    .numNegatives(100).build();
            case "base" -> Wav2Vec2Config.base();
            case "large" -> Wav2Vec2Config.large();
            default -> throw new W2vException("unknown preset '" + name + "' (known: " + String.join(", ", NAMES) + ")");
        };
    }
}

package w2v4j.model;

import w2v4j.core.W2vException;
import w2v4j.core.config.Wav2Vec2Config;
import w2v4j.core.io.SafeTensors;
import w2v4j.core.tensor.Tensor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes Hugging Face model directories ({@code config.json} + {@code model.safetensors}
 * [+ {@code preprocessor_config.json}]) for Wav2Vec2Model, Wav2Vec2ForCTC and
 * Wav2Vec2ForPreTraining. Tensor names may carry the {@code wav2vec2.} prefix or not; the
 * positional conv's weight norm may be stored as {@code weight_g/weight_v} or as
 * {@code parametrizations.weight.original0/1}; unknown extra tensors are ignored.
 */
public final class HfCheckpoint {
    static final String PREFIX = "wav2vec2.";
    static final String[][] WEIGHT_NORM_ALIASES = {
            {"encoder.pos_conv_embed.conv.weight_g", "encoder.pos_conv_embed.conv.parametrizations.weight.original0"},
            {"encoder.pos_conv_embed.conv.weight_v", "encoder.pos_conv_embed.conv.parametrizations.weight.original1"},
    };

    private HfCheckpoint() {
    }

    public static Wav2Vec2Model load(Path dir) {
        if (!Files.isDirectory(dir)) throw W2vException.file(dir, "not a model directory (expected config.json and model.safetensors)");
        Wav2Vec2Config config = Wav2Vec2Config.load(dir);
        Path weights = dir.resolve("model.safetensors");
        if (!Files.exists(weights)) throw W2vException.file(weights, "missing (only safetensors checkpoints are read)");
        Map<String, Tensor> tensors = SafeTensors.read(weights);
        boolean ctc = find(tensors, "lm_head.weight") != null;
        boolean pretraining = find(tensors, "quantizer.codevectors") != null;
        boolean maskEmb = find(tensors, "masked_spec_embed") != null;
        int vocab = 0;
        if (ctc) {
            Tensor head = find(tensors, "lm_head.weight");
            if (head.shape().length != 2) throw W2vException.file(weights, "tensor 'lm_head.weight' has shape " + Arrays.toString(head.shape()) + ", expected [vocab, " + config.hiddenSize() + "]");
            vocab = head.shape()[0];
        }
        Wav2Vec2Model model = new Wav2Vec2Model(config, new Wav2Vec2Model.Heads(ctc, vocab, pretraining, maskEmb));
        for (Param p : model.params.all()) {
            Tensor t = find(tensors, p.name);
            if (t == null) {
                throw W2vException.file(weights, "missing tensor '" + p.name + "' (also looked for '" + PREFIX + p.name + "'"
                        + aliasesOf(p.name) + ")");
            }
            if (!Arrays.equals(t.shape(), p.shape))
                throw W2vException.file(weights, "tensor '" + t.name() + "' has shape " + Arrays.toString(t.shape()) + ", expected " + p.shapeString());
            System.arraycopy(t.data(), 0, p.value, 0, p.value.length);
        }
        model.prepare();
        return model;
    }

    private static String aliasesOf(String name) {
        for (String[] a : WEIGHT_NORM_ALIASES) if (a[0].equals(name)) return " and '" + a[1] + "'";
        return "";
    }

    /** The tensor for a model parameter, under any of the accepted spellings of its name. */
    static Tensor find(Map<String, Tensor> tensors, String name) {
        Tensor t = tensors.get(name);
        if (t == null) t = tensors.get(PREFIX + name);
        if (t == null) {
            for (String[] a : WEIGHT_NORM_ALIASES) {
                if (a[0].equals(name)) {
                    t = tensors.get(a[1]);
                    if (t == null) t = tensors.get(PREFIX + a[1]);
                }
            }
        }
        return t;
    }

    /**
     * Writes the model as a HF directory: base-model tensors under {@code wav2vec2.} when the model
     * has heads (as Wav2Vec2ForCTC / ForPreTraining do), bare otherwise. Each file is written
     * atomically.
     */
    public static void save(Wav2Vec2Model model, Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw W2vException.file(dir, "cannot create directory: " + e.getMessage());
        }
        boolean prefixed = model.heads.ctc() || model.heads.pretraining();
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Param p : model.params.all()) {
            boolean head = p.name.startsWith("lm_head.") || p.name.startsWith("quantizer.") || p.name.startsWith("project_");
            String name = prefixed && !head ? PREFIX + p.name : p.name;
            out.put(name, new Tensor(name, p.shape.clone(), p.value));
        }
        String arch = model.heads.pretraining() ? "Wav2Vec2ForPreTraining" : model.heads.ctc() ? "Wav2Vec2ForCTC" : "Wav2Vec2Model";
        Wav2Vec2Config.Builder b = model.config.toBuilder().architectures(List.of(arch));
        if (model.heads.ctc()) b.vocabSize(model.heads.vocabSize());
        b.build().save(dir);
        SafeTensors.write(dir.resolve("model.safetensors"), out, Map.of("format", "pt"));
    }
}

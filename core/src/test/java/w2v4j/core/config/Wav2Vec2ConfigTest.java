package w2v4j.core.config;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;

class Wav2Vec2ConfigTest {
    @TempDir
    Path dir;

    static Path resource(String name) {
        try {
            return Path.of(Wav2Vec2ConfigTest.class.getResource("/config/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void loadsAHuggingFaceModelDirectory() {
        Wav2Vec2Config c = Wav2Vec2Config.load(resource("wav2vec2-base"));
        assertEquals(768, c.hiddenSize());
        assertEquals(12, c.numHiddenLayers());
        assertEquals(64, c.headDim());
        assertEquals("group", c.featExtractNorm());
        assertFalse(c.convBias());
        assertFalse(c.doStableLayerNorm());
        assertEquals(0.0, c.activationDropout());
        assertEquals(0.05, c.layerdrop());
        assertEquals(1e-5, c.layerNormEps());
        assertEquals(0.1, c.featProjDropout());
        assertTrue(c.doNormalize());
        assertEquals(16000, c.samplingRate());
        assertEquals(List.of("Wav2Vec2ForPreTraining"), c.architectures());
        assertArrayEquals(new int[] {10, 3, 3, 3, 3, 2, 2}, c.convKernel());
        // The same file given directly.
        assertEquals(c, Wav2Vec2Config.load(resource("wav2vec2-base/config.json")));
    }

    @Test
    void derivedQuantities() {
        Wav2Vec2Config c = Wav2Vec2Config.base();
        assertEquals(320, c.totalStride());
        assertEquals(400, c.receptiveField());
        assertEquals(512, c.extractDim());
        assertEquals(7, c.numFeatExtractLayers());
        assertEquals(49, c.featureFrames(16000)); // 1 s -> 49 frames, as Hugging Face computes
        assertEquals(0, c.featureFrames(399));
        assertEquals(1, c.featureFrames(400));
        assertEquals(2, c.featureFrames(720));
    }

    @Test
    void presets() {
        Wav2Vec2Config base = Wav2Vec2Config.base();
        assertEquals(768, base.hiddenSize());
        assertEquals("group", base.featExtractNorm());
        assertFalse(base.convBias());
        assertFalse(base.doStableLayerNorm());
        assertFalse(base.doNormalize());
        Wav2Vec2Config large = Wav2Vec2Config.large();
        assertEquals(1024, large.hiddenSize());
        assertEquals(24, large.numHiddenLayers());
        assertEquals(16, large.numAttentionHeads());
        assertEquals(4096, large.intermediateSize());
        assertEquals("layer", large.featExtractNorm());
        assertTrue(large.convBias());
        assertTrue(large.doStableLayerNorm());
        assertTrue(large.doNormalize());
    }

    @Test
    void saveAndLoadRoundTrip() {
        Wav2Vec2Config c = Wav2Vec2Config.large().toBuilder().vocabSize(40).padTokenId(3).maskTimeProb(0.65)
                .architectures(List.of("Wav2Vec2ForCTC")).samplingRate(8000).build();
        c.save(dir);
        Wav2Vec2Config back = Wav2Vec2Config.load(dir);
        assertEquals(c, back);
        assertEquals(c.hashCode(), back.hashCode());
        assertNotEquals(c, c.toBuilder().maskTimeLength(11).build());
        Json.Obj json = Json.readObject(dir.resolve("config.json"));
        assertEquals("wav2vec2", json.getString("model_type"));
        assertEquals(List.of("Wav2Vec2ForCTC"), json.getStringList("architectures"));
        assertEquals(7, json.getInt("num_feat_extract_layers"));
        Json.Obj pre = Json.readObject(dir.resolve("preprocessor_config.json"));
        assertTrue(pre.getBool("return_attention_mask"));
        assertEquals(8000, pre.getInt("sampling_rate"));
    }

    @Test
    void arraysAreCopied() {
        int[] dims = {512, 512};
        Wav2Vec2Config c = new Wav2Vec2Config.Builder().convDim(dims).convStride(new int[] {5, 2})
                .convKernel(new int[] {10, 3}).build();
        dims[0] = 1;
        c.convDim()[1] = 2;
        assertArrayEquals(new int[] {512, 512}, c.convDim());
    }

    private Path writeConfig(String json) throws IOException {
        Path d = Files.createTempDirectory(dir, "m");
        Files.writeString(d.resolve("config.json"), json);
        return d;
    }

    private static final String MINIMAL = "\"hidden_size\": 64, \"num_hidden_layers\": 2, \"num_attention_heads\": 4,"
            + " \"intermediate_size\": 128, \"conv_dim\": [32, 32], \"conv_kernel\": [10, 3], \"conv_stride\": [5, 2]";

    @Test
    void minimalConfigTakesDefaults() throws IOException {
        Path d = writeConfig("{" + MINIMAL + "}");
        Wav2Vec2Config c = Wav2Vec2Config.load(d);
        assertEquals(64, c.hiddenSize());
        assertEquals(32, c.vocabSize());
        assertEquals("gelu", c.hiddenAct());
        assertEquals(128, c.numConvPosEmbeddings());
        assertEquals(0.05, c.maskTimeProb());
        assertEquals("sum", c.ctcLossReduction());
        assertFalse(c.doNormalize()); // no preprocessor_config.json
        assertEquals(16000, c.samplingRate());
        assertEquals(1599, c.featureFrames(16000)); // (16000 - 10) / 5 + 1 = 3199, (3199 - 3) / 2 + 1 = 1599
    }

    private void assertLoadFails(String json, String problem) throws IOException {
        Path d = writeConfig(json);
        W2vException e = assertThrows(W2vException.class, () -> Wav2Vec2Config.load(d));
        assertEquals(d.resolve("config.json") + ": " + problem, e.getMessage());
    }

    @Test
    void requiredFieldsAreRequired() throws IOException {
        for (String field : List.of("hidden_size", "num_hidden_layers", "num_attention_heads", "intermediate_size",
                "conv_dim", "conv_kernel", "conv_stride")) {
            String json = "{" + MINIMAL.replace("\"" + field + "\"", "\"x_" + field + "\"") + "}";
            assertLoadFails(json, "missing field '" + field + "'");
        }
    }

    @Test
    void wrongTypesAndValues() throws IOException {
        assertLoadFails("{" + MINIMAL.replace("\"hidden_size\": 64", "\"hidden_size\": \"64\"") + "}",
                "field 'hidden_size' should be an integer, found string");
        assertLoadFails("{" + MINIMAL.replace("[32, 32]", "\"32\"") + "}",
                "field 'conv_dim' should be an integer list, found string");
        assertLoadFails("{" + MINIMAL.replace("\"hidden_size\": 64", "\"hidden_size\": 66") + "}",
                "hidden_size 66 is not divisible by num_attention_heads 4");
        assertLoadFails("{" + MINIMAL.replace("[5, 2]", "[5, 2, 2]") + "}",
                "conv_dim, conv_stride and conv_kernel should have the same length, found 2, 3 and 2");
        assertLoadFails("{" + MINIMAL + ", \"hidden_act\": \"relu\"}",
                "hidden_act 'relu' is not supported (supported: gelu, gelu_python)");
        assertLoadFails("{" + MINIMAL + ", \"feat_extract_activation\": \"gelu_new\"}",
                "feat_extract_activation 'gelu_new' is not supported (supported: gelu)");
        assertLoadFails("{" + MINIMAL + ", \"feat_extract_norm\": \"batch\"}",
                "feat_extract_norm should be 'group' or 'layer', found 'batch'");
        assertLoadFails("{" + MINIMAL + ", \"model_type\": \"hubert\"}",
                "model_type 'hubert' is not supported (expected wav2vec2)");
        assertLoadFails("{" + MINIMAL + ", \"hidden_dropout\": 1.5}", "hidden_dropout should be in [0, 1), found 1.5");
        assertLoadFails("{" + MINIMAL + ", \"do_stable_layer_norm\": 1}",
                "field 'do_stable_layer_norm' should be a boolean, found integer 1");
        assertLoadFails("{" + MINIMAL + ", \"num_conv_pos_embedding_groups\": 5}",
                "hidden_size 64 is not divisible by num_conv_pos_embedding_groups 5");
        assertLoadFails("{" + MINIMAL + ", \"pad_token_id\": 40}", "pad_token_id 40 is outside the vocabulary of 32");
        assertLoadFails("[1, 2]", "expected a JSON object at the top level, found list");
        assertLoadFails("{" + MINIMAL, "line 1, column " + (("{" + MINIMAL).length() + 1)
                + ": unexpected end of input inside an object");
    }

    @Test
    void preprocessorErrorsNameThatFile() throws IOException {
        Path d = writeConfig("{" + MINIMAL + "}");
        Files.writeString(d.resolve("preprocessor_config.json"), "{\"do_normalize\": \"yes\"}");
        W2vException e = assertThrows(W2vException.class, () -> Wav2Vec2Config.load(d));
        assertEquals(d.resolve("preprocessor_config.json") + ": field 'do_normalize' should be a boolean, found string",
                e.getMessage());
        Files.writeString(d.resolve("preprocessor_config.json"), "{\"sampling_rate\": 0}");
        W2vException r = assertThrows(W2vException.class, () -> Wav2Vec2Config.load(d));
        assertEquals(d.resolve("preprocessor_config.json") + ": sampling_rate should be positive, found 0", r.getMessage());
        Files.writeString(d.resolve("preprocessor_config.json"), "{}");
        assertTrue(Wav2Vec2Config.load(d).doNormalize()); // Hugging Face's default when the file exists
    }

    @Test
    void missingConfigFile() {
        W2vException e = assertThrows(W2vException.class, () -> Wav2Vec2Config.load(dir));
        assertEquals(dir.resolve("config.json") + ": no such file", e.getMessage());
    }

    @Test
    void builderValidates() {
        W2vException e = assertThrows(W2vException.class, () -> new Wav2Vec2Config.Builder().numAttentionHeads(7).build());
        assertEquals("hidden_size 768 is not divisible by num_attention_heads 7", e.getMessage());
    }

    @Test
    void toJsonUsesHuggingFaceNames() {
        Map<String, Object> m = Wav2Vec2Config.base().toJson();
        assertEquals(768, m.get("hidden_size"));
        assertEquals("group", m.get("feat_extract_norm"));
        assertEquals(false, m.get("conv_bias"));
        assertEquals(0.05, m.get("mask_time_prob"));
        String text = Json.writePretty(m);
        assertTrue(text.contains("\"conv_stride\": [\n    5,"), text);
    }
}

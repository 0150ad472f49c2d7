package w2v4j.train.run;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import w2v4j.core.W2vException;
import w2v4j.core.io.Json;
import w2v4j.train.optim.PolynomialDecay;
import w2v4j.train.optim.TriStage;

class TrainConfigTest {

    @Test
    void setParsesEveryKindOfGenericKey() {
        TrainConfig c = new TrainConfig().set("lr=3e-5").set("adam_betas", "0.9, 0.999").set("max_update", "13000")
                .set("lr_scheduler", "tri_stage").set("phase_ratio", "[0.1,0.4,0.5]").set("train_subset", "train_10h");
        assertEquals(3e-5, c.lr);
        assertArrayEquals(new double[] {0.9, 0.999}, c.adamBetas);
        assertEquals("train_10h", c.trainSubset);
        TriStage s = assertInstanceOf(TriStage.class, c.schedule());
        assertEquals(1300, s.warmup());
        assertEquals(6500, s.decay());
        assertInstanceOf(PolynomialDecay.class, new TrainConfig().schedule());
    }

    @Test
    void unknownKeysAndBadValuesAreOneLineErrors() {
        TrainConfig c = new TrainConfig();
        W2vException e = assertThrows(W2vException.class, () -> c.set("warmup_update", "10"));
        assertEquals("unknown training key 'warmup_update'; did you mean warmup_updates?", e.getMessage());
        e = assertThrows(W2vException.class, () -> c.set("max_tokens", "1.4M"));
        assertEquals("max_tokens=1.4M: not an integer", e.getMessage());
        e = assertThrows(W2vException.class, () -> c.set("lr_scheduler", "cosine"));
        assertEquals("lr_scheduler=cosine: expected polynomial or tri_stage", e.getMessage());
        e = assertThrows(W2vException.class, () -> c.set("nothing"));
        assertEquals("--set expects key=value, got 'nothing'", e.getMessage());
        e = assertThrows(W2vException.class, () -> new TrainConfig().set("min_sample_size", "300000").validate());
        assertEquals("min_sample_size (300000) exceeds max_sample_size (250000)", e.getMessage());
    }

    @Test
    void taskKeysAreDeclaredSetAndReadTyped() {
        TrainConfig c = new TrainConfig().define("mask_prob", 0.65).define("num_negatives", 100)
                .define("loss_weights", new double[] {0.1, 10}).define("normalize", false);
        c.set("mask_prob", "0.5").set("num_negatives", "50").set("loss_weights", "0.2,5").set("normalize", "true");
        assertEquals(0.5, c.getDouble("mask_prob", 0));
        assertEquals(50, c.getInt("num_negatives", 0));
        assertArrayEquals(new double[] {0.2, 5}, c.getDoubles("loss_weights", new double[0]));
        assertEquals(true, c.getBool("normalize", false));
        assertEquals(7.0, c.getDouble("not_declared", 7.0));
        W2vException e = assertThrows(W2vException.class, () -> c.set("mask_porb", "0.1"));
        assertEquals("unknown training key 'mask_porb'; did you mean mask_prob?", e.getMessage());
        e = assertThrows(W2vException.class, () -> c.getBool("mask_prob", false));
        assertEquals("training key 'mask_prob' should be true or false, found 0.5", e.getMessage());
    }

    @Test
    void jsonRoundTripKeepsEveryKey(@TempDir Path dir) {
        TrainConfig c = new TrainConfig().set("lr", "1e-4").set("phase_ratio", "0.2,0.3,0.5").set("seed", "9")
                .define("latent_temp", new double[] {2, 0.5, 0.999995}).define("mask_length", 10);
        Path f = dir.resolve("train.json");
        Json.write(f, c.toJson());
        TrainConfig back = TrainConfig.fromJson(Json.readObject(f));
        assertEquals(c.toJson(), back.toJson());
        assertArrayEquals(new double[] {2, 0.5, 0.999995}, back.getDoubles("latent_temp", null));
        assertEquals(10, back.getInt("mask_length", 0));
        // A declared default does not override a value read from the file.
        back.define("mask_length", 5);
        assertEquals(10, back.getInt("mask_length", 0));

        Json.write(f, Map.of("lr", 1e-3, "bogus_key", 1L));
        W2vException e = assertThrows(W2vException.class, () -> TrainConfig.fromJson(Json.readObject(f)));
        assertEquals(f + ": unknown training key 'bogus_key'; known keys: " + String.join(", ",
                TrainConfig.genericKeys()), e.getMessage());
        Json.write(f, Map.of("adam_betas", List.of(0.9, "x")));
        e = assertThrows(W2vException.class, () -> TrainConfig.fromJson(Json.readObject(f)));
        assertEquals(f + ": adam_betas=x: not a number", e.getMessage());
    }
}

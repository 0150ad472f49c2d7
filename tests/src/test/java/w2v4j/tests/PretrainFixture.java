package w2v4j.tests;

import w2v4j.core.io.Npy;
import w2v4j.train.objective.MaskedBatch;
import w2v4j.train.pretrain.PretrainStep;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** A pre-training step fixture of scripts/make_pretrain_fixtures.py: waves, and the mask, negatives and noise it used. */
record PretrainFixture(Path dir, List<float[]> waves, PretrainStep.Inputs inputs) {

    static PretrainFixture load(String name) throws URISyntaxException {
        Path dir = Path.of(PretrainFixture.class.getResource("/pretrain/" + name).toURI());
        List<float[]> waves = new ArrayList<>();
        for (int b = 0; Files.exists(dir.resolve("wave_" + b + ".npy")); b++) waves.add(Npy.read(dir.resolve("wave_" + b + ".npy")).data());
        Npy.NpyLongArray maskArr = Npy.readLongs(dir.resolve("mask.npy"));
        int batch = maskArr.shape()[0], frames = maskArr.shape()[1];
        boolean[] mask = new boolean[batch * frames];
        for (int i = 0; i < mask.length; i++) mask[i] = maskArr.data()[i] != 0;
        long[] negL = Npy.readLongs(dir.resolve("negatives.npy")).data();
        int[] negatives = new int[negL.length];
        for (int i = 0; i < negL.length; i++) negatives[i] = Math.toIntExact(negL[i]);
        float[] noise = Npy.read(dir.resolve("gumbel_noise.npy")).data();
        return new PretrainFixture(dir, waves, new PretrainStep.Inputs(MaskedBatch.fromMask(batch, frames, mask), negatives, noise));
    }
}

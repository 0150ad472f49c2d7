package w2v4j.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;
import w2v4j.core.io.Npy;
import w2v4j.core.io.SafeTensors;
import w2v4j.core.tensor.Tensor;
import w2v4j.kernels.Backend;
import w2v4j.kernels.Backends;
import w2v4j.kernels.opencl.OpenClBackend;
import w2v4j.kernels.opencl.OpenClDevices;
import w2v4j.kernels.TransferStats;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Presets;
import w2v4j.model.Inference;
import w2v4j.model.Param;
import w2v4j.model.TrainOptions;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.repl.Main;
import w2v4j.train.data.AudioDataset;
import w2v4j.train.objective.PretrainingObjective;
import w2v4j.train.optim.Adam;
import w2v4j.train.pretrain.PretrainPresets;
import w2v4j.train.pretrain.PretrainStep;
import w2v4j.train.pretrain.PretrainTask;
import w2v4j.train.run.Progress;
import w2v4j.train.run.RunDir;
import w2v4j.train.run.TrainConfig;
import w2v4j.train.run.Trainer;

/**
 * The whole model on the {@code opencl} backend against the {@code java} backend, with the model
 * and trainer code unchanged: the forward pass on every parity fixture (as a padded batch: final
 * output, a layer's output, CTC logits), {@code w2v extract --backend opencl} against
 * {@code --backend java}, and one full pre-training update on {@code base_like} with dropout on
 * (loss terms, every parameter gradient, the weights after an Adam step). Without an OpenCL
 * device these tests fail under {@code CI} and are skipped elsewhere.
 *
 * <p>Tolerances (max|Δ|/max|ref| per tensor, Java as the reference): forward outputs 1e-5. Each
 * kernel agrees to ~1e-6 (kernels' differential tests); through a few layers that grows, and both
 * stay within ParityTest's 1e-4 of the float64 PyTorch reference, so 1e-5 between the two float32
 * backends is the tighter, meaningful bound. Training: loss terms 1e-6 relative; gradients 1e-5
 * per tensor (observed ~2e-6: the contrastive loss's 1/temperature = 10 and the sum over masked
 * steps amplify rounding, while dropout masks are bit-identical, so nothing larger is expected;
 * PretrainParityTest allows 1e-4 against float64); the zero-gradient key biases absolutely, 1e-6
 * of the largest gradient; the weights after an Adam step per element within what the gradient
 * tolerance allows through Adam's normalised step (derived at the check).
 */
class OpenClBackendTest {
    static final double FORWARD_TOL = 1e-5, LOSS_TOL = 1e-6, GRAD_TOL = 1e-5;
    /**
     * Six trainer updates, opencl vs java: the loss of each update as the single-step loss terms (1e-6 relative;
     * observed ~1e-8); the weights absolutely, 1e-5 (key biases aside, see {@link #weightsMaxDiff}): six Adam steps of
     * lr <= 1e-3 move each weight by at most 6e-3, and gradients that agree to ~2e-6 relative change each normalised
     * step by about that fraction (observed 2.4e-7 pre-training, see the test output for fine-tuning).
     */
    static final double TRAIN_LOSS_TOL = 1e-6, TRAIN_WEIGHT_TOL = 1e-5;
    /**
     * Fine-tuning's weights after six updates: lr 1e-3 (twice pre-training's) and Adam's normalised steps turn the
     * ~1e-6 relative gradient differences of small-gradient elements into larger weight differences (observed 6e-6).
     */
    static final double FINETUNE_WEIGHT_TOL = 5e-5;

    static OpenClBackend cl;

    @BeforeAll
    static void open() {
        if (OpenClDevices.devices().isEmpty()) {
            if (System.getenv("CI") != null) fail("CI is set but no OpenCL device was found: " + OpenClDevices.error());
            Assumptions.abort("no OpenCL device on this machine, OpenCL tests skipped: " + OpenClDevices.error());
        }
        cl = (OpenClBackend) Backends.get("opencl", 0);
        System.out.println("OpenCL: " + cl.description());
    }

    @AfterAll
    static void close() {
        if (cl != null) cl.close();
    }

    static double relErr(float[] ref, float[] got) {
        assertEquals(ref.length, got.length);
        double maxErr = 0, maxRef = 0;
        for (int i = 0; i < ref.length; i++) {
            assertTrue(Float.isFinite(got[i]), "non-finite value at " + i);
            maxErr = Math.max(maxErr, Math.abs((double) got[i] - ref[i]));
            maxRef = Math.max(maxRef, Math.abs(ref[i]));
        }
        return maxRef == 0 ? maxErr : maxErr / maxRef;
    }

    static List<Path> parityCases() throws Exception {
        try (Stream<Path> dirs = Files.list(ParityTest.fixtures())) {
            return dirs.filter(Files::isDirectory).sorted().toList();
        }
    }

    @Test
    void wholeForwardMatchesJavaOnEveryParityFixture() throws Exception {
        List<Path> cases = parityCases();
        assertTrue(cases.size() >= 4, "parity fixtures");
        try (Backend java = Backends.get("java", 0)) {
            for (Path dir : cases) {
                Wav2Vec2Model model = HfCheckpoint.load(dir);
                List<float[]> waves = ParityTest.inputs(dir);
                boolean ctc = model.heads.ctc();
                Inference.Output ref = new Inference(model, java).run(waves, 1, ctc);
                Inference.Output got = new Inference(model, cl).run(waves, 1, ctc);
                double worst = 0;
                for (int b = 0; b < waves.size(); b++) {
                    assertEquals(ref.frames()[b], got.frames()[b]);
                    worst = Math.max(worst, check(dir + " hidden " + b, ref.hidden()[b], got.hidden()[b], FORWARD_TOL));
                    worst = Math.max(worst, check(dir + " layer1 " + b, ref.layer()[b], got.layer()[b], FORWARD_TOL));
                    if (ctc) worst = Math.max(worst, check(dir + " logits " + b, ref.logits()[b], got.logits()[b], FORWARD_TOL));
                }
                System.out.printf("opencl forward %-22s worst max|Δ|/max|ref| vs java %.2e (tolerance %.0e)%n",
                        dir.getFileName(), worst, FORWARD_TOL);
            }
        }
    }

    static double check(String what, float[] ref, float[] got, double tol) {
        double rel = relErr(ref, got);
        assertTrue(rel <= tol, what + ": max|Δ|/max|ref| = " + rel + " > " + tol);
        return rel;
    }

    @Test
    void extractCommandGivesTheSameFeaturesOnBothBackends(@TempDir Path tmp) throws Exception {
        for (Path dir : parityCases()) {
            List<String> inputs = new ArrayList<>();
            for (int i = 0; Files.exists(dir.resolve("input_" + i + ".npy")); i++) inputs.add(dir.resolve("input_" + i + ".npy").toString());
            for (String backend : new String[]{"java", "opencl"}) {
                List<String> args = new ArrayList<>(List.of("extract", dir.toString()));
                args.addAll(inputs);
                args.addAll(List.of(tmp.resolve(dir.getFileName() + "-" + backend).toString() + "/", "--backend", backend));
                StringWriter err = new StringWriter();
                CommandLine c = Main.commandLine();
                c.setOut(new PrintWriter(new StringWriter(), true));
                c.setErr(new PrintWriter(err, true));
                assertEquals(0, c.execute(args.toArray(String[]::new)), "extract --backend " + backend + ": " + err);
            }
            for (int i = 0; i < inputs.size(); i++) {
                String f = "input_" + i + ".npy";
                float[] ref = Npy.read(tmp.resolve(dir.getFileName() + "-java").resolve(f)).data();
                float[] got = Npy.read(tmp.resolve(dir.getFileName() + "-opencl").resolve(f)).data();
                check("extract " + dir.getFileName() + "/" + f, ref, got, FORWARD_TOL);
            }
        }
    }

    /** One pre-training update on each backend from the same weights, inputs and dropout seed. */
    @Test
    void oneTrainingUpdateMatchesJava() throws Exception {
        PretrainFixture fx = PretrainFixture.load("base_like");
        Path dir = fx.dir();
        List<float[]> waves = fx.waves();
        // dropout on every site, so that identical masks are part of what is checked
        var settings = new PretrainStep.Settings(0.65, 10, 2, 0, 10.0, 0.1, new TrainOptions(0.1, 0.1f, 0.1f, 0.1f, 0.1f, 0f));
        var inputs = fx.inputs();
        double lr = 1e-3;

        Wav2Vec2Model mj = HfCheckpoint.load(dir), mc = HfCheckpoint.load(dir);
        PretrainingObjective.Result rj, rc;
        try (Backend java = Backends.get("java", 0)) {
            rj = new PretrainStep(mj, java, settings).run(waves, inputs, 2.0, true, 1234);
        }
        PretrainStep step = new PretrainStep(mc, cl, settings);
        TransferStats before = cl.transferStats();
        rc = step.run(waves, inputs, 2.0, true, 1234);
        TransferStats first = cl.transferStats().minus(before);

        assertEquals(rj.numMasked(), rc.numMasked());
        assertEquals(rj.correct(), rc.correct(), "contrastive accuracy");
        double[][] losses = {{rj.loss(), rc.loss()}, {rj.lossContrastive(), rc.lossContrastive()},
                {rj.lossDiversity(), rc.lossDiversity()}, {rj.lossFeaturesPen(), rc.lossFeaturesPen()}};
        double worstLoss = 0;
        for (double[] l : losses) {
            double rel = Math.abs(l[0] - l[1]) / Math.max(Math.abs(l[0]), 1e-12);
            worstLoss = Math.max(worstLoss, rel);
            assertTrue(rel <= LOSS_TOL, "loss term " + l[0] + " vs " + l[1]);
        }
        double worstGrad = 0;
        Map<String, Param> pj = byName(mj), pc = byName(mc);
        int checked = 0;
        double maxAll = 0;
        for (Param p : mj.params.all()) for (float g : p.hasGrad() ? p.grad() : new float[0]) maxAll = Math.max(maxAll, Math.abs(g));
        for (Param p : mj.params.all()) {
            if (!p.hasGrad()) continue;
            float[] gj = p.grad(), gc = pc.get(p.name).grad();
            if (p.name.endsWith("k_proj.bias")) {
                // zero in exact arithmetic (a key bias adds the same q.b to every score of a row, which
                // softmax ignores): both sides hold rounding noise, so it is checked absolutely
                double maxErr = 0;
                for (int i = 0; i < gj.length; i++) maxErr = Math.max(maxErr, Math.abs(gj[i] - gc[i]));
                assertTrue(maxErr <= 1e-6 * maxAll, p.name + ": zero-gradient tensor differs by " + maxErr);
            } else {
                worstGrad = Math.max(worstGrad, check("gradient " + p.name, gj, gc, GRAD_TOL));
            }
            checked++;
        }
        assertTrue(checked >= mj.params.all().size() - 1, "gradients of (nearly) every parameter: " + checked);

        Map<String, float[]> gradJ = new java.util.HashMap<>();
        for (Param p : mj.params.all()) if (p.hasGrad()) gradJ.put(p.name, p.grad().clone());
        Adam aj = Adam.pretraining(mj.params.all()), ac = Adam.pretraining(mc.params.all());
        aj.step(lr);
        ac.step(lr);
        mj.prepare();
        mc.prepare();
        // Adam's first step is lr * g / (|g| + eps'): each element moves by at most lr, and a gradient
        // error dg moves it by at most lr * |dg| / |g|. With |dg| <= GRAD_TOL * max|g| of its tensor,
        // element i may differ by lr * min(2, GRAD_TOL * max|g| / |g_i|) (+ 4 ulps of the weight).
        // For the zero-gradient key biases that bound is 2 lr: their step is Adam on rounding noise.
        double worstW = 0;
        for (Param p : mj.params.all()) {
            float[] a = p.value, b = pc.get(p.name).value, g = gradJ.get(p.name);
            boolean noiseStep = p.name.endsWith("k_proj.bias");
            double maxG = 0;
            for (float v : g) maxG = Math.max(maxG, Math.abs(v));
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                double tol = lr * (noiseStep ? 2 : Math.min(2, GRAD_TOL * maxG / Math.abs(g[i]))) + 4 * Math.ulp(Math.abs(a[i]));
                assertTrue(d <= tol, p.name + "[" + i + "] after the update: " + a[i] + " vs " + b[i] + " (gradient " + g[i] + ")");
                if (!noiseStep) worstW = Math.max(worstW, d);
            }
        }

        // a second step on the updated weights: the steady-state transfers of one training step
        for (Param p : mc.params.all()) if (p.hasGrad()) java.util.Arrays.fill(p.grad(), 0f);
        before = cl.transferStats();
        step.run(waves, inputs, 2.0, true, 1235);
        TransferStats second = cl.transferStats().minus(before);
        long weightBytes = 0;
        for (float[] w : mc.backendWeights()) weightBytes += 4L * w.length;
        System.out.printf("opencl training update vs java: loss terms %.2e, %d gradients worst %.2e, updated weights max|Δ| %.2e (lr %.0e; key biases excluded)%n",
                worstLoss, checked, worstGrad, worstW, lr);
        System.out.println("opencl transfers, first step (weights made resident): " + first);
        System.out.printf("opencl transfers per training step: %s (of which weights re-uploaded after the update: %.2f MB)%n",
                second, weightBytes / 1e6);
        assertTrue(second.hostToDeviceBytes() >= weightBytes, "the updated weights are uploaded once per step");
    }

    /**
     * Pre-training through the CLI on {@code opencl}, where the trainer keeps the parameters, gradients and Adam
     * moments on the device: 3 updates, a stop, 3 more must equal 6 in one go bit for bit (so checkpoints and resume
     * read the device's state), and match 6 updates on {@code java} within the training tolerance.
     */
    @Test
    void deviceResidentTrainingResumesExactlyAndMatchesJava(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        PretrainResumeTest.corpus(data, 8, false);
        Path java = tmp.resolve("java"), once = tmp.resolve("once"), split = tmp.resolve("split");
        assertEquals(0, PretrainResumeTest.pretrain(data, java, 6));
        assertEquals(0, PretrainResumeTest.pretrain(data, once, 6, "--backend", "opencl"));
        assertEquals(0, PretrainResumeTest.pretrain(data, split, 3, "--backend", "opencl"));
        assertEquals(0, PretrainResumeTest.pretrain(data, split, 6, "--backend", "opencl"));
        String ck = "checkpoints/checkpoint_last/";
        for (String file : new String[]{"model.safetensors", "trainer_state.safetensors"}) {
            Map<String, Tensor> a = SafeTensors.read(once.resolve(ck + file)), b = SafeTensors.read(split.resolve(ck + file));
            assertEquals(a.keySet(), b.keySet());
            for (String k : a.keySet()) assertArrayEquals(a.get(k).data(), b.get(k).data(), "opencl resumed vs one run: " + file + " " + k);
        }
        assertEquals(PretrainResumeTest.metrics(once), PretrainResumeTest.metrics(split), "opencl metrics, resumed vs one run");
        // against java (TRAIN_*_TOL)
        Map<String, Tensor> wj = SafeTensors.read(java.resolve(ck + "model.safetensors")), wc = SafeTensors.read(once.resolve(ck + "model.safetensors"));
        double worst = weightsMaxDiff(wj, wc, 6, 5e-4);
        List<Map<String, Object>> mj = PretrainResumeTest.metrics(java), mc = PretrainResumeTest.metrics(once);
        assertEquals(mj.size(), mc.size());
        double worstLoss = 0;
        for (int i = 0; i < mj.size(); i++) {
            double lj = ((Number) mj.get(i).get("loss")).doubleValue(), lc = ((Number) mc.get(i).get("loss")).doubleValue();
            worstLoss = Math.max(worstLoss, Math.abs(lj - lc) / Math.abs(lj));
        }
        System.out.printf("opencl device-resident training, 6 updates vs java: losses worst rel %.2e, weights max|Δ| %.2e (6 steps of lr <= 5e-4)%n",
                worstLoss, worst);
        assertTrue(worstLoss <= TRAIN_LOSS_TOL, "loss of opencl training vs java: " + worstLoss);
        assertTrue(worst <= TRAIN_WEIGHT_TOL, "weights after 6 updates, opencl vs java: " + worst);
    }

    /**
     * The trainer on {@code opencl}: what one update copies between host and device once the parameters, gradients
     * and Adam moments live on the device. Per update the batch's waveforms go up, the objective's inputs come down and
     * its gradients go up (it runs on the host), the host-derived weights (conv weights, packed; the positional conv's
     * weight norm) are re-derived and uploaded, and scalar checks come back; no gradient, moment or other weight does.
     */
    @Test
    void trainerUpdateCopiesOnlyTheBatchTheHostPiecesAndScalars(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        PretrainResumeTest.corpus(data, 8, false);
        TrainConfig cfg = PretrainTask.defineKeys(PretrainPresets.config("micro"), false);
        for (String s : List.of("max_update=3", "total_num_update=6", "warmup_updates=2", "max_tokens=100000", "min_sample_size=8000",
                "max_sample_size=24000", "num_workers=1", "log_interval=1")) cfg.set(s);
        cfg.validate();
        Wav2Vec2Model model = new Wav2Vec2Model(Presets.get("micro"), new Wav2Vec2Model.Heads(false, 0, true, true)).initRandom(cfg.seed);
        AudioDataset train = AudioDataset.open(data, cfg.trainSubset, AudioDataset.Mode.CROP, cfg.minSampleSize, cfg.maxSampleSize, null);
        Trainer trainer = new Trainer(new PretrainTask(model, cl, cfg), cfg, RunDir.open(tmp.resolve("run")), train, null, Progress.silent());
        assertEquals(3, trainer.run());
        TransferStats per = trainer.lastUpdateTransfers();
        long paramBytes = 4 * model.params.count();
        System.out.printf("opencl trainer, one update of micro (%.2f MB of parameters): %s%n", paramBytes / 1e6, per);
        assertTrue(per.deviceToHostBytes() < paramBytes, "gradients and moments stay on the device: " + per);
    }

    /**
     * Fine-tuning through the CLI on {@code opencl} (CTC head, time and channel masking on the device, a frozen first
     * update, the trainer's device-resident state) against {@code java}: the same losses and weights within the
     * training tolerances.
     */
    @Test
    void deviceResidentFineTuningMatchesJava(@TempDir Path tmp) throws Exception {
        Path data = tmp.resolve("data");
        FinetuneOverfitTest.corpus(data);
        String ck = "checkpoints/checkpoint_last/";
        for (String backend : new String[]{"java", "opencl"}) {
            int rc = Main.commandLine().execute("finetune", "--data", data.toString(), "--out", tmp.resolve(backend).toString(),
                    "--preset", "micro", "--train-subset", "train", "--valid-subset", "train", "--max-updates", "6",
                    "--set", "mask_prob=0.3", "--set", "mask_length=2", "--set", "mask_channel_prob=0.2", "--set", "mask_channel_length=4",
                    "--set", "freeze_finetune_updates=1", "--set", "validate_interval=6", "--set", "log_interval=1",
                    "--set", "num_workers=1", "--backend", backend);
            assertEquals(0, rc, "finetune --backend " + backend);
        }
        List<Map<String, Object>> mj = PretrainResumeTest.metrics(tmp.resolve("java")), mc = PretrainResumeTest.metrics(tmp.resolve("opencl"));
        assertEquals(mj.size(), mc.size());
        double worstLoss = 0;
        for (int i = 0; i < mj.size(); i++) {
            double lj = ((Number) mj.get(i).get("loss")).doubleValue(), lc = ((Number) mc.get(i).get("loss")).doubleValue();
            worstLoss = Math.max(worstLoss, Math.abs(lj - lc) / Math.abs(lj));
        }
        Map<String, Tensor> wj = SafeTensors.read(tmp.resolve("java").resolve(ck + "model.safetensors"));
        Map<String, Tensor> wc = SafeTensors.read(tmp.resolve("opencl").resolve(ck + "model.safetensors"));
        double worst = weightsMaxDiff(wj, wc, 6, 1e-3);
        System.out.printf("opencl fine-tuning, 6 updates vs java: losses worst rel %.2e, weights max|Δ| %.2e (key biases excluded)%n",
                worstLoss, worst);
        assertTrue(worstLoss <= TRAIN_LOSS_TOL, "fine-tuning loss, opencl vs java: " + worstLoss);
        assertTrue(worst <= FINETUNE_WEIGHT_TOL, "weights after 6 fine-tuning updates, opencl vs java: " + worst);
    }

    /**
     * max|Δ| over the weights of two runs, key biases excluded: their gradient is zero in exact arithmetic (softmax
     * ignores a per-row constant), so Adam normalises rounding noise into steps of up to lr, of any sign, on either
     * side; they are only bounded by 2 lr per update.
     */
    static double weightsMaxDiff(Map<String, Tensor> wj, Map<String, Tensor> wc, int updates, double peakLr) {
        assertEquals(wj.keySet(), wc.keySet());
        double worst = 0;
        for (String k : wj.keySet()) {
            float[] a = wj.get(k).data(), b = wc.get(k).data();
            boolean noise = k.endsWith("k_proj.bias");
            for (int i = 0; i < a.length; i++) {
                double d = Math.abs(a[i] - b[i]);
                if (noise) assertTrue(d <= 2 * updates * peakLr, k + "[" + i + "] differs by " + d);
                else worst = Math.max(worst, d);
            }
        }
        return worst;
    }

    static Map<String, Param> byName(Wav2Vec2Model m) {
        Map<String, Param> out = new java.util.HashMap<>();
        for (Param p : m.params.all()) out.put(p.name, p);
        return out;
    }
}

package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;
import w2v4j.core.io.Npy;
import w2v4j.kernels.Backend;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Inference;
import w2v4j.model.Wav2Vec2Model;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code w2v extract MODEL_DIR AUDIO... OUT}: encoder features or CTC logits as float32 .npy. */
@Command(name = "extract", mixinStandardHelpOptions = true,
        description = {"Write wav2vec 2.0 features of audio files as float32 .npy [frames, dim].",
                "One AUDIO: OUT is a .npy file. Several: OUT is a directory receiving NAME.npy per input, computed as one padded batch.",
                "AUDIO may be WAV, FLAC (resampled to 16 kHz, mixed to mono) or a 1-D float .npy waveform at 16 kHz."})
public final class ExtractCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "Hugging Face model directory (config.json + model.safetensors).")
    Path modelDir;

    @Parameters(index = "1..*", arity = "2..*", paramLabel = "AUDIO... OUT", description = "Input audio files, then the output file or directory.")
    List<Path> files;

    @Option(names = "--layer", paramLabel = "N", description = "Output of Transformer layer N (1-based) instead of the final encoder output.")
    int layer;

    @Option(names = "--logits", description = "Write the CTC logits [frames, vocab] (needs a Wav2Vec2ForCTC model).")
    boolean logits;

    @picocli.CommandLine.Mixin
    BackendOption backend = new BackendOption();

    @Override
    public Integer call() throws Exception {
        if (layer != 0 && logits) throw new W2vException("choose either --layer or --logits, not both");
        List<Path> inputs = files.subList(0, files.size() - 1);
        Path out = files.get(files.size() - 1);
        boolean toDir = inputs.size() > 1 || Files.isDirectory(out);
        if (!toDir && !out.toString().endsWith(".npy")) throw W2vException.file(out, "output should be a .npy file (or a directory)");
        Wav2Vec2Model model = HfCheckpoint.load(modelDir);
        List<float[]> waves = new ArrayList<>();
        for (Path p : inputs) waves.add(readWaveform(p));
        try (Backend be = backend.open()) {
            Inference.Output o = new Inference(model, be).run(waves, layer, logits);
            if (toDir) Files.createDirectories(out);
            for (int b = 0; b < inputs.size(); b++) {
                float[][] src = logits ? o.logits() : layer > 0 ? o.layer() : o.hidden();
                int dim = logits ? o.vocab() : o.dim();
                Path target = toDir ? out.resolve(stem(inputs.get(b)) + ".npy") : out;
                Npy.write(target, new int[]{o.frames()[b], dim}, src[b]);
                System.out.println(target + "\t[" + o.frames()[b] + ", " + dim + "]");
            }
        }
        return 0;
    }

    /** Reads audio at 16 kHz mono; a .npy input is taken as a 16 kHz waveform as it is. */
    static float[] readWaveform(Path p) {
        if (p.toString().endsWith(".npy")) {
            Npy.NpyArray a = Npy.read(p);
            if (a.shape().length != 1) throw W2vException.file(p, "a waveform .npy must be 1-D, found shape " + java.util.Arrays.toString(a.shape()));
            return a.data();
        }
        return AudioFiles.readMono(p, 16000);
    }

    static String stem(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot > 0 ? n.substring(0, dot) : n;
    }
}

package w2v4j.train.decode;

import w2v4j.core.W2vException;
import w2v4j.kernels.Backend;
import w2v4j.model.HfCheckpoint;
import w2v4j.model.Inference;
import w2v4j.model.Wav2Vec2Model;
import w2v4j.train.ctc.GreedyDecoder;
import w2v4j.train.ctc.Vocabulary;
import w2v4j.train.lm.ArpaModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Speech to text with a fine-tuned CTC model: CTC logits (batched; long audio in overlapping
 * chunks so memory stays bounded), then greedy decoding or beam search with an n-gram LM.
 *
 * <p>Chunking follows Hugging Face's pipeline: windows of {@code chunkSeconds} advancing by
 * {@code chunkSeconds - 2 * strideSeconds}; each window's first and last {@code strideSeconds}
 * of frames are dropped (except at the ends of the audio), so every kept frame saw at least
 * {@code strideSeconds} of context on both sides.
 */
public final class Recognizer {
    /** Frames per second of the standard encoder (320-sample hop at 16 kHz). */
    static final int HOP = 320;

    private final Wav2Vec2Model model;
    private final Vocabulary vocab;
    private final Inference inference;
    private final CtcBeamSearch beam;
    private double chunkSeconds = 30, strideSeconds = 3;

    public Recognizer(Wav2Vec2Model model, Vocabulary vocab, Backend backend, ArpaModel lm, CtcBeamSearch.Options beamOptions) {
        if (!model.heads.ctc()) throw new W2vException("the model has no CTC head (lm_head): it needs fine-tuning first");
        if (model.vocabSize() != vocab.size())
            throw new W2vException("the model has " + model.vocabSize() + " outputs but vocab.json has " + vocab.size() + " symbols");
        this.model = model;
        this.vocab = vocab;
        this.inference = new Inference(model, backend);
        this.beam = beamOptions == null ? null
                : new CtcBeamSearch(vocab.symbols().toArray(new String[0]), vocab.blank(), vocab.wordDelimiter(), lm, beamOptions);
    }

    /** Loads a fine-tuned HF model directory (config.json, model.safetensors, vocab.json). */
    public static Recognizer load(Path modelDir, Backend backend, ArpaModel lm, CtcBeamSearch.Options beamOptions) {
        Wav2Vec2Model model = HfCheckpoint.load(modelDir);
        Path vocabFile = modelDir.resolve("vocab.json");
        if (!Files.exists(vocabFile)) throw W2vException.file(vocabFile, "missing (a CTC model directory needs its vocabulary)");
        return new Recognizer(model, Vocabulary.fromHfVocab(vocabFile), backend, lm, beamOptions);
    }

    public Recognizer chunking(double chunkSeconds, double strideSeconds) {
        if (chunkSeconds <= 4 * strideSeconds || strideSeconds < 0)
            throw new W2vException("chunk length must exceed four times the stride (got " + chunkSeconds + " s and " + strideSeconds + " s)");
        this.chunkSeconds = chunkSeconds;
        this.strideSeconds = strideSeconds;
        return this;
    }

    public Vocabulary vocabulary() {
        return vocab;
    }

    /** Transcribes each waveform (16 kHz); short ones run as one padded batch, long ones in chunks. */
    public List<String> transcribe(List<float[]> waves) {
        List<String> out = new ArrayList<>();
        int chunk = (int) Math.round(chunkSeconds * 16000);
        List<float[]> shortOnes = new ArrayList<>();
        List<Integer> shortIdx = new ArrayList<>();
        String[] texts = new String[waves.size()];
        for (int i = 0; i < waves.size(); i++) {
            if (waves.get(i).length <= chunk) {
                shortOnes.add(waves.get(i));
                shortIdx.add(i);
            } else {
                float[] lg = chunkedLogits(waves.get(i));
                texts[i] = decode(lg, lg.length / vocab.size());
            }
        }
        if (!shortOnes.isEmpty()) {
            Inference.Output o = inference.run(shortOnes, 0, true);
            for (int j = 0; j < shortOnes.size(); j++) texts[shortIdx.get(j)] = decode(o.logits()[j], o.frames()[j]);
        }
        for (String t : texts) out.add(t);
        return out;
    }

    /** CTC logits {@code [frames, vocab]} of a long waveform computed window by window. */
    float[] chunkedLogits(float[] wave) {
        int chunk = (int) Math.round(chunkSeconds * 16000) / HOP * HOP;
        int stride = (int) Math.round(strideSeconds * 16000) / HOP * HOP;
        int step = chunk - 2 * stride, v = vocab.size();
        int strideFrames = stride / HOP;
        int totalFrames = model.frames(wave.length);
        float[] out = new float[totalFrames * v];
        int written = 0;
        for (int start = 0; written < totalFrames; start += step) {
            int end = Math.min(wave.length, start + chunk);
            float[] piece = java.util.Arrays.copyOfRange(wave, start, end);
            Inference.Output o = inference.run(List.of(piece), 0, true);
            int frames = o.frames()[0];
            boolean last = end == wave.length;
            // keep this window's frames from where the previous one stopped (global frame `written`),
            // up to strideFrames before its end (the last window keeps everything)
            int from = written - start / HOP;
            if (from < 0) throw new IllegalStateException("chunking left a gap at frame " + written);
            int to = Math.min(last ? frames : frames - strideFrames, totalFrames - start / HOP);
            int n = to - from;
            if (n > 0) System.arraycopy(o.logits()[0], from * v, out, written * v, n * v);
            written += Math.max(n, 0);
            if (last) break;
        }
        return java.util.Arrays.copyOf(out, written * v);
    }

    private String decode(float[] logits, int frames) {
        if (beam == null) return GreedyDecoder.decode(logits, 0, frames, vocab).text();
        int v = vocab.size();
        float[] logProbs = new float[frames * v];
        for (int t = 0; t < frames; t++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < v; c++) max = Math.max(max, logits[t * v + c]);
            double sum = 0;
            for (int c = 0; c < v; c++) sum += Math.exp(logits[t * v + c] - max);
            double lse = max + Math.log(sum);
            for (int c = 0; c < v; c++) logProbs[t * v + c] = (float) (logits[t * v + c] - lse);
        }
        return beam.decode(logProbs, frames).text();
    }
}

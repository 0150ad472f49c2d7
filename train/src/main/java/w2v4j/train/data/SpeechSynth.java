package w2v4j.train.data;

import w2v4j.core.W2vException;
import w2v4j.core.audio.AudioFiles;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Speaks text with the espeak-ng program, one process per utterance. espeak-ng writes 22050 Hz
 * 16-bit mono WAV; the audio is read back resampled to the corpus rate by {@link AudioFiles}.
 */
public final class SpeechSynth {

    public static final String DEFAULT_PROGRAM = "espeak-ng";
    public static final String NOT_FOUND = "espeak-ng not found: install it with 'apt-get install espeak-ng'";
    private static final long TIMEOUT_SECONDS = 120;

    private final String program;

    /** @param program the espeak-ng executable, a name looked up on PATH or a path */
    public SpeechSynth(String program) {
        this.program = program;
    }

    /** The accents of {@link EspeakVoices#ACCENTS} this espeak-ng has; fails with the install hint when it is missing. */
    public List<String> installedAccents() {
        return EspeakVoices.installedAccents(run(List.of(program, "--voices=en")));
    }

    /** The variants of {@link EspeakVoices#VARIANTS} this espeak-ng has. */
    public List<String> installedVariants() {
        return EspeakVoices.installedVariants(run(List.of(program, "--voices=variant")));
    }

    /**
     * Speaks normalised text in {@code voice} (espeak-ng's {@code accent+variant}) at {@code rate} words a
     * minute and {@code pitch} (0-99), returning mono samples at {@code sampleRate}.
     * {@code scratch} is a file path espeak-ng may write to; it is deleted afterwards.
     */
    public float[] speak(String normalizedText, String voice, int rate, int pitch, int sampleRate, Path scratch) {
        try {
            run(List.of(program, "-v", voice, "-s", Integer.toString(rate), "-p", Integer.toString(pitch),
                    "-w", scratch.toString(), TextNormalizer.forSpeech(normalizedText)));
            return AudioFiles.readMono(scratch, sampleRate);
        } finally {
            try {
                Files.deleteIfExists(scratch);
            } catch (IOException ignored) {
                // a left-over scratch file is harmless; the corpus writer removes its scratch folder
            }
        }
    }

    /** Runs espeak-ng and returns what it printed; a missing program gives the one-line install hint. */
    private String run(List<String> command) {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new W2vException(NOT_FOUND, e);
        }
        try (InputStream in = p.getInputStream()) {
            String output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new W2vException("espeak-ng did not finish within " + TIMEOUT_SECONDS + " s: " + describe(command));
            }
            if (p.exitValue() != 0) {
                throw new W2vException("espeak-ng failed (exit " + p.exitValue() + "): " + describe(command) + ": " + output.strip().replace('\n', ' '));
            }
            return output;
        } catch (IOException e) {
            throw new W2vException("espeak-ng: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new W2vException("espeak-ng interrupted");
        }
    }

    private static String describe(List<String> command) {
        List<String> shown = new ArrayList<>(command);
        if (shown.size() > 1) shown.set(shown.size() - 1, "\"" + shown.getLast() + "\"");
        return String.join(" ", shown);
    }
}

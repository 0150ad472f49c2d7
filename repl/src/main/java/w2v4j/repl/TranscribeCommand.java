package w2v4j.repl;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import w2v4j.kernels.Backend;
import w2v4j.train.decode.Recognizer;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/** {@code w2v transcribe MODEL_DIR AUDIO...}: one line of text per file. */
@Command(name = "transcribe", mixinStandardHelpOptions = true,
        description = {"Transcribe audio files with a fine-tuned CTC model: prints 'FILE<TAB>text' per file.",
                "Long audio runs in overlapping windows (--chunk-seconds, --stride-seconds) so memory stays bounded."})
public final class TranscribeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MODEL_DIR", description = "Fine-tuned model directory (or a finetune run).")
    Path modelDir;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "AUDIO", description = "WAV/FLAC files (any rate; resampled to 16 kHz).")
    List<Path> audio;

    @Option(names = "--chunk-seconds", defaultValue = "30", description = "Window length for long audio (default ${DEFAULT-VALUE}).")
    double chunkSeconds;

    @Option(names = "--stride-seconds", defaultValue = "3", description = "Context dropped at each window edge (default ${DEFAULT-VALUE}).")
    double strideSeconds;

    @Mixin
    DecodingOptions decoding = new DecodingOptions();

    @Override
    public Integer call() {
        try (Backend backend = decoding.backend.open()) {
            Recognizer rec = decoding.recognizer(FinetuneCommand.bestModelDir(modelDir), backend).chunking(chunkSeconds, strideSeconds);
            for (Path p : audio) {
                String text = rec.transcribe(List.of(ExtractCommand.readWaveform(p))).get(0);
                System.out.println(p + "\t" + text);
            }
        }
        return 0;
    }
}

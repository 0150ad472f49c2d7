package w2v4j.core.audio;

/**
 * What an audio file's header says: sample rate in Hz, channel count, length in frames
 * (one frame = one sample per channel) and the container format ("wav" or "flac").
 */
public record AudioInfo(int sampleRate, int channels, long frames, String format) {
    public double seconds() {
        return (double) frames / sampleRate;
    }
}

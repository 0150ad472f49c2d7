package w2v4j.core.audio;

/**
 * A decoded audio file: samples in [-1, 1) (float files may exceed it), interleaved by channel
 * (frame f, channel c is at {@code f * channels + c}).
 */
public record DecodedAudio(AudioInfo info, float[] interleaved) {

    public int channels() {
        return info.channels();
    }

    public int frames() {
        return interleaved.length / info.channels();
    }

    /** The mean of all channels per frame; a mono file returns its own array. */
    public float[] mono() {
        int channels = info.channels();
        if (channels == 1) {
            return interleaved;
        }
        int frames = frames();
        float[] mono = new float[frames];
        float scale = 1.0f / channels;
        for (int f = 0; f < frames; f++) {
            float sum = 0;
            int base = f * channels;
            for (int c = 0; c < channels; c++) {
                sum += interleaved[base + c];
            }
            mono[f] = sum * scale;
        }
        return mono;
    }
}

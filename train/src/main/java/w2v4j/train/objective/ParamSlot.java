package w2v4j.train.objective;

/**
 * One parameter of the objective as a value/gradient pair of flat row-major arrays, named as in
 * Hugging Face checkpoints. The arrays are shared, not copied: wrap {@code w2v4j.model.Param}'s
 * {@code value} and {@code grad()} here and the objective reads and accumulates into them directly.
 */
public record ParamSlot(String name, int[] shape, float[] value, float[] grad) {

    public ParamSlot {
        long n = 1;
        for (int d : shape) n *= d;
        if (value.length != n || grad.length != n) throw new IllegalArgumentException(name + ": arrays of length " + value.length + "/" + grad.length + " for shape " + java.util.Arrays.toString(shape));
    }

    public static ParamSlot zeros(String name, int... shape) {
        long n = 1;
        for (int d : shape) n *= d;
        int len = Math.toIntExact(n);
        return new ParamSlot(name, shape.clone(), new float[len], new float[len]);
    }
}

package w2v4j.core.tensor;

import java.util.Arrays;

/**
 * A named dense float32 tensor: row-major (C order) data for {@code shape}. The arrays are shared, not copied.
 * equals/hashCode compare shape and data by content.
 */
public record Tensor(String name, int[] shape, float[] data) {

    public Tensor {
        long n = numel(shape);
        if (n != data.length) {
            throw new IllegalArgumentException("tensor '" + name + "': shape " + shapeString(shape) + " needs " + n
                    + " values, data has " + data.length);
        }
    }

    public long numel() {
        return data.length;
    }

    public int rank() {
        return shape.length;
    }

    /** "[768, 512]"; a scalar is "[]". */
    public String shapeString() {
        return shapeString(shape);
    }

    public static String shapeString(int[] shape) {
        return Arrays.toString(shape);
    }

    /** Product of the dimensions; 1 for a scalar. Negative dimensions are rejected. */
    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + shapeString(shape));
            }
            n *= d;
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && name.equals(t.name) && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 * 31 + Arrays.hashCode(shape) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Tensor[" + name + " " + shapeString() + "]";
    }
}

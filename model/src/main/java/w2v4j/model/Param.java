package w2v4j.model;

import java.util.Arrays;

/**
 * One named parameter tensor: its Hugging Face name, its shape and its values, in one flat array
 * (row-major, PyTorch's layout). The gradient buffer is allocated only when training asks for it.
 */
public final class Param {
    public final String name;
    public final int[] shape;
    public final float[] value;
    private float[] grad;

    public Param(String name, int... shape) {
        this.name = name;
        this.shape = shape.clone();
        this.value = new float[Math.toIntExact(numel(shape))];
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }

    public int numel() {
        return value.length;
    }

    public float[] grad() {
        if (grad == null) grad = new float[value.length];
        return grad;
    }

    public boolean hasGrad() {
        return grad != null;
    }

    public String shapeString() {
        return Arrays.toString(shape);
    }

    @Override
    public String toString() {
        return name + shapeString();
    }
}

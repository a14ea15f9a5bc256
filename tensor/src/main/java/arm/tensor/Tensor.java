package arm.tensor;

/**
 * A dense float32 tensor: storage + shape + strides + offset + device. Plain data with readable
 * fields; all math lives in a {@link Backend}.
 *
 * <p>Tensors made by backends are contiguous and row-major ({@link #strides()} = {@link
 * Shape#strides}, computed when asked: no kernel reads them). {@link #reshape} returns a view over
 * the same storage; permutes and slices are copies made by the backend, which keeps every kernel a
 * flat loop.
 */
public final class Tensor implements AutoCloseable {
    public final int[] shape;
    public final int offset;
    public final Storage storage;

    /** Shape.numel(shape), kept: kernels and checks ask for it many times per op. */
    private final int numel;

    public Tensor(Storage storage, int offset, int... shape) {
        int n = Shape.numel(shape);
        if (offset < 0 || offset + (long) n > storage.size())
            throw new IllegalArgumentException(
                    "shape "
                            + Shape.str(shape)
                            + " at offset "
                            + offset
                            + " exceeds storage of "
                            + storage.size());
        this.storage = storage;
        this.offset = offset;
        this.shape = shape.clone();
        this.numel = n;
    }

    /** Row-major strides (every tensor is contiguous). */
    public int[] strides() {
        return Shape.strides(shape);
    }

    /** A new host tensor wrapping {@code data} (not copied). */
    public static Tensor of(float[] data, int... shape) {
        if (Shape.numel(shape) != data.length)
            throw new IllegalArgumentException(
                    data.length + " values do not fill shape " + Shape.str(shape));
        return new Tensor(new CpuStorage(data), 0, shape);
    }

    /** A new zero-filled host tensor. */
    public static Tensor zeros(int... shape) {
        return new Tensor(new CpuStorage(new float[Shape.numel(shape)]), 0, shape);
    }

    public Device device() {
        return storage.device();
    }

    public int numel() {
        return numel;
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension {@code d}; negative d counts from the end. */
    public int dim(int d) {
        return shape[d < 0 ? shape.length + d : d];
    }

    /** A view with a new shape over the same elements; one dimension may be -1. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1, known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (infer >= 0)
                    throw new IllegalArgumentException("two -1 in " + Shape.str(newShape));
                infer = i;
            } else known *= s[i];
        }
        if (infer >= 0) s[infer] = known == 0 ? 0 : numel() / known;
        if (Shape.numel(s) != numel())
            throw new IllegalArgumentException(
                    "cannot reshape " + Shape.str(shape) + " to " + Shape.str(newShape));
        return new Tensor(storage, offset, s);
    }

    /** The host array behind a CPU tensor (elements start at {@link #offset}). */
    public float[] data() {
        if (!(storage instanceof CpuStorage c))
            throw new IllegalStateException(
                    "tensor lives on " + device() + "; copy it to the host first");
        return c.data;
    }

    /** Copies the elements to a fresh host array, from any device. */
    public float[] toArray() {
        if (storage instanceof CpuStorage c) {
            float[] out = new float[numel()];
            System.arraycopy(c.data, offset, out, 0, out.length);
            return out;
        }
        return Backends.get(device()).download(this);
    }

    /** Single element read, for tests and small scalars (copies from device if needed). */
    public float item() {
        if (numel() != 1) throw new IllegalStateException("item() on shape " + Shape.str(shape));
        return storage instanceof CpuStorage c ? c.data[offset] : toArray()[0];
    }

    @Override
    public void close() {
        storage.close();
    }

    @Override
    public String toString() {
        return "Tensor" + Shape.str(shape) + "@" + device();
    }
}

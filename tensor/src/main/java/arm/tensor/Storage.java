package arm.tensor;

/**
 * The memory behind a tensor: a host float[] or a device allocation. Storage may be shared by
 * several tensors (reshape views), so closing is reference-free: whoever owns it (a {@link Scope}
 * or a parameter) closes it once.
 */
public interface Storage extends AutoCloseable {
    Device device();

    /** Number of float32 elements. */
    long size();

    /** Frees device memory; a no-op for host storage (the GC owns it). */
    @Override
    void close();
}

package arm.kernels.cuda;

import arm.tensor.Device;
import arm.tensor.Storage;
import java.lang.ref.Cleaner;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory behind a CUDA tensor: a block of the device's caching allocator. The owner (a
 * {@link arm.tensor.Scope}, or whoever holds the tensor) calls {@link #close}, which hands the
 * block back once. A storage that becomes unreachable without being closed is handed back by a
 * {@link Cleaner} as a safety net; scopes remain the way to free memory on time, because the
 * garbage collector does not see device memory pressure.
 */
public final class CudaStorage implements Storage {
    private static final Cleaner CLEANER = Cleaner.create();

    /** The block; shared with the cleaner, so it must not refer to the storage. */
    private static final class Block implements Runnable {
        final CudaDevice dev;
        final CUdeviceptr ptr;
        final long bytes;

        Block(CudaDevice dev, CUdeviceptr ptr, long bytes) {
            this.dev = dev;
            this.ptr = ptr;
            this.bytes = bytes;
        }

        @Override
        public void run() { // Cleaner runs this at most once, from close() or after the storage is
            // unreachable
            dev.free(ptr, bytes);
        }
    }

    private final CUdeviceptr ptr;
    private final long size;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    CudaStorage(CudaDevice dev, long size) {
        this.size = size;
        this.ptr = dev.alloc(size * Float.BYTES);
        this.cleanable = CLEANER.register(this, new Block(dev, ptr, size * Float.BYTES));
    }

    /** The device address of element {@code offset}. */
    public CUdeviceptr at(long offset) {
        if (closed) throw new IllegalStateException("CUDA tensor used after close()");
        return offset == 0 ? ptr : ptr.withByteOffset(offset * Float.BYTES);
    }

    @Override
    public Device device() {
        return Device.CUDA;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void close() {
        closed = true;
        cleanable.clean();
    }
}

package arm.kernels.cuda;

import arm.tensor.Device;
import arm.tensor.Storage;
import jcuda.driver.CUdeviceptr;

/**
 * Device memory behind a CUDA tensor: a pointer into the device's caching allocator. {@link #close}
 * hands the block back (once); the owner is a {@link arm.tensor.Scope} or whoever holds the tensor.
 */
public final class CudaStorage implements Storage {
  private final CudaDevice dev;
  private final CUdeviceptr ptr;
  private final long size;
  private boolean closed;

  CudaStorage(CudaDevice dev, long size) {
    this.dev = dev;
    this.size = size;
    this.ptr = dev.alloc(size * Float.BYTES);
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

  public boolean isClosed() {
    return closed;
  }

  @Override
  public void close() {
    if (closed) return;
    closed = true;
    dev.free(ptr, size * Float.BYTES);
  }
}

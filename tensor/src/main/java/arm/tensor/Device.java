package arm.tensor;

/**
 * Where a tensor's storage lives. CUDA tensors are only ever touched through a CUDA {@link
 * Backend}.
 */
public enum Device {
    CPU,
    CUDA
}

package arm.tensor;

/** Host storage: a plain float[] that kernels read and write directly. */
public final class CpuStorage implements Storage {
    public final float[] data;

    public CpuStorage(float[] data) {
        this.data = data;
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public long size() {
        return data.length;
    }

    @Override
    public void close() {}
}

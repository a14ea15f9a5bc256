package arm.tensor;

import java.util.EnumMap;
import java.util.Map;
import java.util.ServiceLoader;

/** Finds the backend for a device, once, through {@link BackendProvider} services. */
public final class Backends {
    private static final Map<Device, Backend> BACKENDS = new EnumMap<>(Device.class);

    private Backends() {}

    public static synchronized Backend get(Device device) {
        Backend b = BACKENDS.get(device);
        if (b != null) return b;
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.device() == device) {
                b = p.create();
                BACKENDS.put(device, b);
                return b;
            }
        }
        throw new IllegalStateException(
                "no "
                        + device
                        + " backend on the class path"
                        + (device == Device.CPU ? " (add the kernels module)" : ""));
    }

    public static Backend cpu() {
        return get(Device.CPU);
    }

    /** The backend that owns this tensor's storage. */
    public static Backend of(Tensor t) {
        return get(t.device());
    }

    /**
     * Host values as a tensor on a device: wrapped without a copy on the CPU, uploaded (into the
     * current {@link Scope}) elsewhere.
     */
    public static Tensor onDevice(Device device, float[] host, int... shape) {
        return device == Device.CPU ? Tensor.of(host, shape) : get(device).upload(host, shape);
    }

    /**
     * Replaces the backend for a device (tests, or forcing a code path); returns the one it
     * replaced, or null.
     */
    public static synchronized Backend set(Backend backend) {
        return BACKENDS.put(backend.device(), backend);
    }

    /**
     * Forgets the backend of a device, so the next {@link #get} looks for a provider again (tests).
     */
    public static synchronized void remove(Device device) {
        BACKENDS.remove(device);
    }
}

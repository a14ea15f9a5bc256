package arm.autograd;

import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.BatchNormArgs;
import arm.tensor.CpuStorage;
import arm.tensor.Device;
import arm.tensor.GraphCapture;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Storage;
import arm.tensor.Tensor;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.IntBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GPU stand-in for tests on machines without one: a {@link Backend} for {@link Device#CUDA} whose
 * tensors are host arrays behind a storage that says CUDA, computed by the CPU backend. What goes
 * wrong on a real GPU goes wrong here too: a device tensor handed to the CPU backend (or read with
 * {@code data()}) fails with "tensor lives on CUDA", a host tensor handed to this backend fails, a
 * tensor used after its {@link Scope} freed it fails, and a buffer from {@code empty} is NaN until
 * written, so an op that relies on zeros there fails. It captures graphs too ({@link Capture}), and
 * keeps the CUDA backend's cache of index copies, so that an upload during capture fails. Results
 * equal the CPU's bit for bit, so a device run can be compared with a CPU run exactly.
 *
 * <pre>
 * try (FakeDevice gpu = FakeDevice.install()) { … Methods.create("ARM", Map.of("device", "cuda")) … }
 * </pre>
 */
public final class FakeDevice implements AutoCloseable {
    private final Backend previous;

    private FakeDevice(Backend previous) {
        this.previous = previous;
    }

    /** Makes {@code Backends.get(Device.CUDA)} the fake until {@link #close}. */
    public static FakeDevice install() {
        Backend cpu = Backends.cpu();
        Capture capture = new Capture(cpu);
        InvocationHandler h =
                (proxy, m, args) ->
                        m.getName().equals("graphCapture") ? capture : capture.invoke(m, args);
        Backend fake =
                (Backend)
                        Proxy.newProxyInstance(
                                FakeDevice.class.getClassLoader(),
                                new Class<?>[] {Backend.class},
                                h);
        return new FakeDevice(Backends.set(fake));
    }

    /** Puts back the CUDA backend there was before (none on a machine without a GPU). */
    @Override
    public void close() {
        if (previous != null) Backends.set(previous);
        else Backends.remove(Device.CUDA);
    }

    /** Device memory: a host array that only this backend may read, and not after close. */
    static final class FakeStorage implements Storage {
        final float[] data;
        final Capture owner;
        boolean freed;

        FakeStorage(float[] data, Capture owner) {
            this.data = data;
            this.owner = owner;
        }

        @Override
        public Device device() {
            return Device.CUDA;
        }

        @Override
        public long size() {
            return data.length;
        }

        @Override
        public void close() {
            if (!owner.deferFree(this)) freed = true;
        }
    }

    /**
     * What {@code empty} hands out: NaN, so a result that depends on a buffer's old contents is
     * NaN.
     */
    private static float[] garbage(int n) {
        float[] a = new float[n];
        Arrays.fill(a, Float.NaN);
        return a;
    }

    /**
     * Graph capture as a CUDA stream does it: between begin and end, calls are recorded, not run
     * (allocations happen, and a zeros() records its memset); a download, upload, sync or argmax
     * read fails, as the host cannot wait inside a capture; storages freed meanwhile stay alive in
     * the graph's pool until the graph closes. launch() runs the recorded calls again on the same
     * tensors with the values they had at capture, so a step that only works because host code
     * re-runs fails here as it would on a GPU.
     */
    static final class Capture implements GraphCapture {
        private static final Method FILL;

        static {
            try {
                FILL = Backend.class.getMethod("fill", Tensor.class, float.class);
            } catch (NoSuchMethodException e) {
                throw new ExceptionInInitializerError(e);
            }
        }

        private final Backend cpu;
        private List<Object[]> recording; // {Method, args}, non-null while capturing
        private List<FakeStorage> pool;

        Capture(Backend cpu) {
            this.cpu = cpu;
        }

        @Override
        public void begin() {
            if (recording != null)
                throw new IllegalStateException("graph capture already under way");
            recording = new ArrayList<>();
            pool = new ArrayList<>();
        }

        @Override
        public Graph end() {
            List<Object[]> ops = recording;
            List<FakeStorage> owned = pool;
            recording = null;
            pool = null;
            return new Graph() {
                @Override
                public void launch() {
                    for (Object[] op : ops) {
                        try {
                            run((Method) op[0], (Object[]) op[1]);
                        } catch (RuntimeException | Error e) {
                            throw e;
                        } catch (Throwable t) {
                            throw new IllegalStateException(t);
                        }
                    }
                }

                @Override
                public void close() {
                    for (FakeStorage s : owned) s.freed = true;
                }
            };
        }

        @Override
        public void abort() {
            if (pool != null) for (FakeStorage s : pool) s.freed = true;
            recording = null;
            pool = null;
        }

        /** During capture a freed storage joins the graph's pool instead (true). */
        boolean deferFree(FakeStorage s) {
            if (pool == null) return false;
            pool.add(s);
            return true;
        }

        Object invoke(Method m, Object[] args) throws Throwable {
            switch (m.getName()) {
                case "device":
                    return Device.CUDA;
                case "describe":
                    return "fake cuda over " + cpu.describe();
                case "empty":
                    return allocate(garbage(Shape.numel((int[]) args[0])), (int[]) args[0]);
                case "zeros":
                    {
                        Tensor t =
                                allocate(new float[Shape.numel((int[]) args[0])], (int[]) args[0]);
                        if (recording != null)
                            recording.add(new Object[] {FILL, new Object[] {t, 0f}});
                        return t;
                    }
                case "upload":
                    noHostWait("upload");
                    return allocate(((float[]) args[0]).clone(), (int[]) args[1]);
                case "download":
                    noHostWait("download");
                    return onHost((Tensor) args[0]).toArray();
                case "sync":
                    noHostWait("sync");
                    return null;
                case "info", "numerics", "profileRecorder":
                    return run(m, args);
                default:
                    break;
            }
            indexCopies(m, args);
            if (recording != null && m.getReturnType() == void.class) {
                if (m.getName().equals("maxLastAxis") && args[2] != null)
                    noHostWait("argmax download");
                Object[] baked =
                        args.clone(); // host arrays are copied to the device at capture time
                for (int i = 0; i < baked.length; i++) {
                    if (baked[i] instanceof Tensor t)
                        onHost(t); // wrong device or freed: fail now, as a launch would
                    if (baked[i] instanceof int[] ints) baked[i] = ints.clone();
                    if (baked[i] instanceof Tensor[] ts) {
                        for (Tensor t : ts) if (t != null) onHost(t);
                        baked[i] = ts.clone();
                    }
                    if (baked[i] instanceof BatchNormArgs b) {
                        onHost(b);
                        if (b.counts() != null) baked[i] = b.counted(b.counts().clone());
                    }
                }
                recording.add(new Object[] {m, baked});
                return null;
            }
            return run(m, args);
        }

        /**
         * The CUDA backend's device copies of host int arrays (indices, batch-norm counts): the 64
         * most recently used contents are held; another one is uploaded, a host wait, which fails
         * during capture here as it does there.
         */
        private final Map<List<Object>, Boolean> copies =
                new LinkedHashMap<>(16, 0.75f, true) {
                    @Override
                    protected boolean removeEldestEntry(Map.Entry<List<Object>, Boolean> e) {
                        return size() > 64;
                    }
                };

        private void indexCopies(Method m, Object[] args) {
            switch (m.getName()) {
                case "gatherLastAxis", "scatterAddLastAxis" -> {
                    if (args[1] instanceof int[] index) copyOf(index, false);
                }
                case "batchNorm" -> {
                    BatchNormArgs b = (BatchNormArgs) args[0];
                    if (b.training() && b.counts() != null) copyOf(b.counts(), true);
                }
                case "batchNormBackward" -> {
                    BatchNormArgs b = (BatchNormArgs) args[0];
                    if (b.counts() != null && args[4] != null) copyOf(b.counts(), true);
                }
                case "imagePrior", "imagePriorBackward" -> {
                    if (args[4] instanceof int[] counts) copyOf(counts, true);
                }
                case "logitTerms", "logitTermsBackward" -> {
                    copyOf((int[]) args[2], true); // the class mask
                    if (args[3] instanceof int[] counts) copyOf(counts, true);
                }
                default -> {}
            }
        }

        private void copyOf(int[] host, boolean asFloat) {
            List<Object> key = List.of(IntBuffer.wrap(host.clone()), asFloat);
            if (copies.get(key) != null) return;
            noHostWait("index upload");
            copies.put(key, true);
        }

        private void noHostWait(String what) {
            if (recording != null)
                throw new IllegalStateException(
                        what + " during graph capture (the host would wait for the stream)");
        }

        private Object run(Method m, Object[] args) throws Throwable {
            Object[] a = args == null ? null : args.clone();
            if (a != null)
                for (int i = 0; i < a.length; i++) {
                    if (a[i] instanceof Tensor t) a[i] = onHost(t);
                    if (a[i] instanceof Tensor[] ts) a[i] = orNull(ts);
                    if (a[i] instanceof BatchNormArgs b) a[i] = onHost(b);
                }
            try {
                return m.invoke(cpu, a);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        private Tensor allocate(float[] data, int[] shape) {
            Tensor t = new Tensor(new FakeStorage(data, this), 0, shape);
            Scope.track(t);
            return t;
        }
    }

    /** The same arguments with every tensor in its host view (null ones stay null). */
    private static BatchNormArgs onHost(BatchNormArgs b) {
        return new BatchNormArgs(
                b.training(),
                orNull(b.gamma()),
                orNull(b.beta()),
                b.eps(),
                orNull(b.mean()),
                orNull(b.var()),
                b.counts(),
                orNull(b.runningMean()),
                orNull(b.runningVar()),
                b.momentum(),
                orNull(b.factor()));
    }

    /** Each tensor in its host view (null ones stay null; a null array stays null). */
    private static Tensor[] orNull(Tensor[] ts) {
        Tensor[] h = ts.clone();
        for (int i = 0; i < h.length; i++) h[i] = orNull(h[i]);
        return h;
    }

    private static Tensor orNull(Tensor t) {
        return t == null ? null : onHost(t);
    }

    /** The host view the CPU kernels work on (same array, so outputs land in device memory). */
    private static Tensor onHost(Tensor t) {
        if (!(t.storage instanceof FakeStorage s))
            throw new IllegalStateException(
                    "tensor lives on " + t.device() + ", not on the (fake) CUDA device");
        if (s.freed)
            throw new IllegalStateException("tensor " + t + " used after its scope freed it");
        return new Tensor(new CpuStorage(s.data), t.offset, t.shape);
    }
}

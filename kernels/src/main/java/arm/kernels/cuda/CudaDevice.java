package arm.kernels.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuCtxSynchronize;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuDriverGetVersion;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.driver.JCudaDriver.cuStreamCreate;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import jcuda.CudaException;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUfunction;
import jcuda.driver.CUgraph;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.CUstreamCaptureMode;
import jcuda.driver.JCudaDriver;

/**
 * Device 0 through the CUDA driver API: its primary context (which cuBLAS and cuDNN use too, so all
 * three share pointers), one stream of our own, a caching allocator, and our own kernels (fatbins
 * built from kernels/src/main/cuda/*.cu, loaded with cuModuleLoadData).
 *
 * <p>Every launch, device-to-device copy and memset goes to {@link #stream}, and cuBLAS and cuDNN
 * are bound to it, so the host queues work without waiting and a freed block can be reused by the
 * next allocation at once (one stream runs in order). The stream is a blocking one: the synchronous
 * host copies (upload, download), which run on the legacy default stream, still wait for it, so a
 * download is the one place the host waits. {@code -Darm.cuda.stream=legacy} runs everything on the
 * legacy default stream instead. {@link #launches()} and {@link #syncs()} count what the host asked
 * for (profiles).
 */
public final class CudaDevice {
    static final int THREADS = 256;

    /** The fatbins in the resources, one per .cu file. */
    public static final String[] MODULES = {
        "elementwise",
        "reduce",
        "softmax",
        "index",
        "layout",
        "batchnorm",
        "pool",
        "prior",
        "logits"
    };

    private static CudaDevice instance;

    public final CUdevice device = new CUdevice();
    public final CUcontext context = new CUcontext();
    public final String name;
    public final int ccMajor, ccMinor, driverVersion, multiprocessors;
    public final long totalMemory;
    private final Map<String, CUfunction> functions = new HashMap<>();
    private final Map<Long, ArrayDeque<CUdeviceptr>> pool = new HashMap<>();
    private final boolean pooling =
            !"false".equals(System.getProperty("arm.cuda.cachingAllocator"));
    private long liveBytes, pooledBytes;

    /** Our stream, or null (the legacy default stream) under -Darm.cuda.stream=legacy. */
    public final CUstream stream;

    private final AtomicLong launches = new AtomicLong(), syncs = new AtomicLong();

    /** The device, initialised on first call (loads JCudaDriver; needs libcuda.so.1). */
    public static synchronized CudaDevice get() {
        if (instance == null) {
            if (CudaLibs.driver() == null)
                throw new CudaUnavailable(
                        "CUDA not available: libcuda.so.1 not found (no NVIDIA driver)");
            JCudaNatives.load("JCudaDriver", "jcuda.driver.JCudaDriver");
            JCudaDriver.setExceptionsEnabled(true);
            instance = new CudaDevice();
        }
        return instance;
    }

    private CudaDevice() {
        try {
            cuInit(0);
        } catch (CudaException e) {
            throw new CudaUnavailable("CUDA not available: cuInit failed (" + e.getMessage() + ")");
        }
        cuDeviceGet(device, 0);
        byte[] buf = new byte[256];
        cuDeviceGetName(buf, buf.length, device);
        int end = 0;
        while (end < buf.length && buf[end] != 0) end++;
        name = new String(buf, 0, end);
        ccMajor = attr(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
        ccMinor = attr(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
        multiprocessors = attr(CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
        int[] v = new int[1];
        cuDriverGetVersion(v);
        driverVersion = v[0];
        long[] mem = new long[1];
        cuDeviceTotalMem(mem, device);
        totalMemory = mem[0];
        cuDevicePrimaryCtxRetain(context, device);
        cuCtxSetCurrent(context);
        if ("legacy".equals(System.getProperty("arm.cuda.stream"))) {
            stream = null;
        } else {
            stream = new CUstream();
            cuStreamCreate(
                    stream, 0); // CU_STREAM_DEFAULT: synchronises with the legacy stream's copies
        }
    }

    /** Kernel, cuBLAS and cuDNN calls queued so far (see {@link #counted}). */
    public long launches() {
        return launches.get();
    }

    /** Times the host waited for the device (downloads, index copies, {@link #sync}). */
    public long syncs() {
        return syncs.get();
    }

    /** Counts one library call (cuBLAS, cuDNN) as a launch. */
    void counted() {
        launches.incrementAndGet();
    }

    /**
     * Counts one host wait. During a capture it throws instead, naming where the wait comes from:
     * the driver would only fail the whole capture with CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, and
     * {@link arm.tensor.CapturedStep} reports this message when it falls back to eager.
     */
    void waited() {
        syncs.incrementAndGet();
        if (capturing)
            throw new IllegalStateException("a host wait inside a captured step, " + caller());
    }

    /** The first frames outside the CUDA backend (where a host wait was asked for). */
    private static String caller() {
        return StackWalker.getInstance()
                .walk(
                        frames ->
                                frames.filter(CudaDevice::outsideBackend)
                                        .limit(4)
                                        .map(CudaDevice::frame)
                                        .collect(Collectors.joining(" < ")));
    }

    private static boolean outsideBackend(StackWalker.StackFrame f) {
        return !f.getClassName().startsWith("arm.kernels.cuda.");
    }

    private static String frame(StackWalker.StackFrame f) {
        String c = f.getClassName();
        return c.substring(c.lastIndexOf('.') + 1)
                + "."
                + f.getMethodName()
                + ":"
                + f.getLineNumber();
    }

    private int attr(int a) {
        int[] v = new int[1];
        cuDeviceGetAttribute(v, a, device);
        return v[0];
    }

    /** Makes the primary context current on the calling thread (JCuda calls are per thread). */
    public void makeCurrent() {
        cuCtxSetCurrent(context);
    }

    /** Whether this thread has made the context current (runs train on pool threads). */
    private final ThreadLocal<boolean[]> bound = ThreadLocal.withInitial(() -> new boolean[1]);

    /** {@link #makeCurrent} once per thread: every allocation and launch passes here. */
    void ensureCurrent() {
        boolean[] b = bound.get();
        if (!b[0]) {
            makeCurrent();
            b[0] = true;
        }
    }

    public void sync() {
        waited();
        cuCtxSynchronize();
    }

    // ---------------------------------------------------------------- memory

    private static long round(long bytes) {
        return Math.max(512, (bytes + 511) / 512 * 512);
    }

    /** A device block of at least {@code bytes}, from the pool when one of that size is free. */
    public synchronized CUdeviceptr alloc(long bytes) {
        ensureCurrent();
        long r = round(bytes);
        ArrayDeque<CUdeviceptr> q = pool.get(r);
        if (q != null && !q.isEmpty()) {
            pooledBytes -= r;
            liveBytes += r;
            return q.pop();
        }
        CUdeviceptr p = new CUdeviceptr();
        for (int attempt = 0; ; attempt++) {
            try {
                cuMemAlloc(p, r);
                break;
            } catch (CudaException e) {
                if (!e.getMessage().contains("OUT_OF_MEMORY") || attempt == 2) throw e;
                if (attempt == 1)
                    collectGarbage(); // unclosed storages return their blocks through the cleaner
                emptyPool();
            }
        }
        liveBytes += r;
        return p;
    }

    private void collectGarbage() {
        System.gc();
        try {
            wait(100); // releases this monitor so the cleaner thread can return blocks
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Returns a block from {@link #alloc} (same byte count). May be called from the cleaner thread:
     * pooling is bookkeeping only, and our one stream orders any later reuse after earlier work.
     */
    public synchronized void free(CUdeviceptr p, long bytes) {
        if (capturePool
                != null) { // a graph under capture keeps this address: the block joins its pool
            capturePool.add(new Object[] {p, bytes});
            return;
        }
        long r = round(bytes);
        liveBytes -= r;
        if (pooling) {
            pool.computeIfAbsent(r, k -> new ArrayDeque<>()).push(p);
            pooledBytes += r;
        } else {
            cuCtxSetCurrent(context); // the calling thread may not have the context yet
            cuMemFree(p);
        }
    }

    /** Frees every pooled block (cuMemFree synchronises the device). */
    public synchronized void emptyPool() {
        for (ArrayDeque<CUdeviceptr> q : pool.values()) for (CUdeviceptr p : q) cuMemFree(p);
        pool.clear();
        pooledBytes = 0;
    }

    public synchronized long liveBytes() {
        return liveBytes;
    }

    public synchronized long pooledBytes() {
        return pooledBytes;
    }

    // ---------------------------------------------------------------- graph capture

    /** Blocks freed while a graph is captured ({pointer, bytes}); null when not capturing. */
    private List<Object[]> capturePool;

    /** Whether our stream is being captured (a host wait then fails the capture). */
    private volatile boolean capturing;

    /**
     * Starts capturing our stream (relaxed mode: allocations stay allowed); frees go to the graph's
     * pool.
     */
    synchronized void beginCapture() {
        if (stream == null)
            throw new IllegalStateException(
                    "graph capture needs our own stream (not -Darm.cuda.stream=legacy)");
        ensureCurrent();
        capturePool = new ArrayList<>();
        JCudaDriver.cuStreamBeginCapture(
                stream, CUstreamCaptureMode.CU_STREAM_CAPTURE_MODE_RELAXED);
        capturing = true;
    }

    /**
     * Ends capturing; returns the captured graph (null after a failed capture) and the pool it
     * owns.
     */
    synchronized Object[] endCapture() {
        capturing = false;
        List<Object[]> pool = capturePool;
        capturePool = null;
        CUgraph g = new CUgraph();
        try {
            JCudaDriver.cuStreamEndCapture(stream, g);
        } catch (CudaException e) {
            releasePool(pool);
            throw e;
        }
        return new Object[] {g, pool};
    }

    /**
     * Graphs instantiated and not yet closed; while there are any, cached blocks are parked, not
     * freed.
     */
    private int liveGraphs;

    private final List<Object[]> parked = new ArrayList<>();

    synchronized void graphOpened() {
        liveGraphs++;
    }

    synchronized void graphClosed() {
        if (--liveGraphs == 0) {
            releasePool(new ArrayList<>(parked));
            parked.clear();
        }
    }

    /**
     * Frees a block a graph may have baked in (an evicted cached index copy): while a graph lives
     * the block is parked, so no other tensor can take its address before the graph is gone.
     */
    synchronized void freeOrPark(CUdeviceptr p, long bytes) {
        if (liveGraphs > 0 || capturePool != null) parked.add(new Object[] {p, bytes});
        else free(p, bytes);
    }

    /** Hands a graph's pool back to the allocator (the graph is destroyed). */
    synchronized void releasePool(List<Object[]> pool) {
        if (pool == null) return;
        for (Object[] b : pool) free((CUdeviceptr) b[0], (Long) b[1]);
    }

    // ---------------------------------------------------------------- our kernels

    /**
     * Loads all our fatbins; a card they do not cover (or a driver that rejects them) gets one line
     * naming its compute capability.
     */
    public synchronized void loadKernels() {
        if (!functions.isEmpty()) return;
        for (String m : MODULES) {
            CUmodule mod = new CUmodule();
            byte[] image = fatbin(m);
            String refusal = Fatbin.parse(image).refusal(m, name, ccMajor, ccMinor);
            if (refusal != null) throw new CudaUnavailable(refusal);
            try {
                cuModuleLoadData(mod, image);
            } catch (CudaException e) {
                throw new CudaUnavailable(
                        "cannot load kernels "
                                + m
                                + ".fatbin ("
                                + Fatbin.parse(image).targets()
                                + ") on "
                                + name
                                + ", compute capability "
                                + ccMajor
                                + "."
                                + ccMinor
                                + ": "
                                + e.getMessage());
            }
            functions.put(m, null);
            for (String f : KernelNames.of(m)) {
                CUfunction fn = new CUfunction();
                cuModuleGetFunction(fn, mod, f);
                functions.put(f, fn);
            }
        }
    }

    public static byte[] fatbin(String module) {
        String res = "/arm/kernels/cuda/" + module + ".fatbin";
        try (InputStream in = CudaDevice.class.getResourceAsStream(res)) {
            if (in == null) throw new IllegalStateException("kernel resource " + res + " missing");
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + res, e);
        }
    }

    CUfunction function(String name) {
        CUfunction f = functions.get(name);
        if (f == null) {
            loadKernels();
            f = functions.get(name);
            if (f == null) throw new IllegalArgumentException("no kernel " + name);
        }
        return f;
    }

    /** Launches a grid-stride kernel over n elements (1-D), on our stream. */
    public void launch(String kernel, long n, Object... args) {
        int blocks = (int) Math.max(1, Math.min((n + THREADS - 1) / THREADS, 65535L * 4));
        launchBlocks(kernel, blocks, THREADS, args);
    }

    /** Launches with an explicit grid (e.g. one block or one warp per row). */
    public void launchBlocks(String kernel, int blocks, int threads, Object... args) {
        ensureCurrent();
        launches.incrementAndGet();
        cuLaunchKernel(
                function(kernel), blocks, 1, 1, threads, 1, 1, 0, stream, params(args), null);
    }

    /**
     * Kernel parameters: device pointers, Integer, Long, Float, Double, or int[] (a struct passed
     * by value).
     */
    static Pointer params(Object... args) {
        NativePointerObject[] p = new NativePointerObject[args.length];
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof CUdeviceptr d) p[i] = Pointer.to(d);
            else if (a instanceof Integer v) p[i] = Pointer.to(new int[] {v});
            else if (a instanceof Float v) p[i] = Pointer.to(new float[] {v});
            else if (a instanceof Double v) p[i] = Pointer.to(new double[] {v});
            else if (a instanceof Long v) p[i] = Pointer.to(new long[] {v});
            else if (a instanceof int[] v) p[i] = Pointer.to(v);
            else throw new IllegalArgumentException("kernel argument " + a);
        }
        return Pointer.to(p);
    }

    /** Device facts for logs and result files. */
    public Map<String, Object> facts() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("device", name);
        m.put("computeCapability", ccMajor + "." + ccMinor);
        m.put("multiprocessors", multiprocessors);
        m.put("memoryGiB", Math.round(totalMemory / (1024.0 * 1024 * 1024) * 10) / 10.0);
        m.put("driverCudaVersion", driverVersion / 1000 + "." + driverVersion % 1000 / 10);
        return m;
    }
}

package arm.bench;

import arm.kernels.cpu.CpuBackend;
import arm.kernels.cuda.*;
import arm.run.IterationParity;
import arm.tensor.Backend;
import arm.tensor.Backends;
import arm.tensor.Device;
import arm.tensor.Scope;
import arm.tensor.Shape;
import arm.tensor.Tensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.JCudaDriver;
import jcuda.runtime.JCuda;

/**
 * The GPU check, stage by stage, each printing PASS / FAIL lines and ending "N passed, N failed"
 * (exit 1 if anything failed). Run one stage per JVM so a native crash in one stage does not hide
 * the others (gpu/device-check.sh does):
 *
 * <pre>
 * java -cp 'app/*' arm.bench.DeviceCheckMain info|runtime|driver|cublas|cudnn|parity|iteration|bench|all
 * </pre>
 *
 * Stages: info (what this machine has; touches no JCuda class), natives (writes the adapted JCuda
 * natives to the cache folder and prints it, loading nothing), runtime (JCuda runtime API), driver
 * (driver API, primary context, our kernels: load the fatbins, run axpy), cublas (SGEMM vs CPU),
 * cudnn (conv forward and conv_transpose2d vs CPU), parity (every Backend primitive vs CPU),
 * iteration (one whole ARM iteration, MLP and ResNet18, CUDA vs CPU), bench (timings, lines "BENCH
 * name value unit").
 */
public final class DeviceCheckMain {
    private int passed, failed;

    public static void main(String[] args) {
        String stage = args.length > 0 ? args[0] : "all";
        DeviceCheckMain m = new DeviceCheckMain();
        List<String> stages =
                stage.equals("all")
                        ? List.of(
                                "info",
                                "runtime",
                                "driver",
                                "cublas",
                                "cudnn",
                                "parity",
                                "iteration",
                                "bench")
                        : List.of(stage.split(","));
        for (String s : stages) m.run(s);
        System.out.println(m.passed + " passed, " + m.failed + " failed");
        System.out.flush();
        // JCuda holds native threads; exit explicitly
        System.exit(m.failed > 0 ? 1 : 0);
    }

    void pass(String what) {
        passed++;
        System.out.println("PASS " + what);
    }

    void fail(String what) {
        failed++;
        System.out.println("FAIL " + what);
    }

    void run(String stage) {
        System.out.println("=== stage " + stage);
        long t0 = System.nanoTime();
        try {
            switch (stage) {
                case "info" -> info();
                case "natives" -> natives();
                case "runtime" -> runtime();
                case "driver" -> driver();
                case "cublas" -> cublas();
                case "cudnn" -> cudnn();
                case "parity" -> parity();
                case "iteration" -> iteration();
                case "bench" -> bench();
                default -> fail("unknown stage " + stage);
            }
        } catch (Throwable e) {
            fail(
                    stage
                            + ": "
                            + e.getClass().getSimpleName()
                            + ": "
                            + Blas.firstLine(String.valueOf(e.getMessage())));
            e.printStackTrace(System.out);
        }
        System.out.printf("=== stage %s done in %.1f s%n", stage, (System.nanoTime() - t0) / 1e9);
    }

    // ---------------------------------------------------------------- info (no JCuda)

    void info() {
        System.out.println(
                "java "
                        + System.getProperty("java.version")
                        + " ("
                        + System.getProperty("java.vendor")
                        + "), "
                        + System.getProperty("os.name")
                        + " "
                        + System.getProperty("os.arch")
                        + ", "
                        + Runtime.getRuntime().availableProcessors()
                        + " cpus");
        CudaLibs.summary().forEach((k, v) -> System.out.printf("  %-20s %s%n", k, v));
        System.out.println("  natives cache        " + JCudaNatives.cacheRoot());
        boolean natives = true;
        for (JCudaNatives.Native n : JCudaNatives.natives(0, 0)) {
            boolean there = DeviceCheckMain.class.getResource(n.resource()) != null;
            natives &= there;
            System.out.println("  jar resource " + n.resource() + (there ? "" : "  MISSING"));
        }
        if (natives) pass("JCuda natives on the class path");
        else fail("JCuda natives missing from the class path");
        for (String m : CudaDevice.MODULES) CudaDevice.fatbin(m);
        pass(
                "kernel fatbins present ("
                        + String.join(", ", CudaDevice.MODULES)
                        + "), each "
                        + Fatbin.parse(CudaDevice.fatbin(CudaDevice.MODULES[0])).targets());
        if (CudaLibs.driver() == null) {
            System.out.println(
                    "CUDA driver: none (libcuda.so.1 not found) -- no CUDA driver on this machine");
            try {
                Backends.get(Device.CUDA);
                fail("Backends.get(CUDA) succeeded without a driver?");
            } catch (IllegalStateException e) {
                boolean oneLine = !e.getMessage().contains("\n");
                if (oneLine)
                    pass("no CUDA driver: the CUDA backend refuses cleanly: " + e.getMessage());
                else fail("the CUDA backend's refusal is not one line: " + e.getMessage());
            }
        } else {
            System.out.println(
                    "CUDA driver: "
                            + CudaLibs.driver().where()
                            + "; cuBLAS major "
                            + CudaLibs.cublasMajor()
                            + ", cuDNN major "
                            + CudaLibs.cudnnMajor());
            pass("info");
        }
    }

    // ---------------------------------------------------------------- natives (adapt only, load
    // nothing)

    void natives() {
        Path d = JCudaNatives.prepare();
        JCudaNatives.log().forEach(l -> System.out.println("  " + l));
        System.out.println("NATIVES_DIR " + d);
        pass(
                "natives adapted for cuBLAS "
                        + CudaLibs.cublasMajor()
                        + " / cuDNN "
                        + CudaLibs.cudnnMajor()
                        + " in "
                        + d);
    }

    // ---------------------------------------------------------------- runtime (JCuda runtime API,
    // static cudart 12.0)

    void runtime() {
        if (noDriver()) return;
        JCudaNatives.load("JCudaRuntime", "jcuda.runtime.JCuda");
        int[] v = new int[1], d = new int[1], n = new int[1];
        JCuda.cudaRuntimeGetVersion(v);
        JCuda.cudaDriverGetVersion(d);
        int rc = JCuda.cudaGetDeviceCount(n);
        System.out.println(
                "  runtime "
                        + v[0]
                        + ", driver "
                        + d[0]
                        + ", devices "
                        + n[0]
                        + " (rc "
                        + rc
                        + ")");
        if (rc != 0 || n[0] < 1) {
            fail("runtime: cudaGetDeviceCount rc=" + rc + " count=" + n[0]);
            return;
        }
        Pointer p = new Pointer();
        float[] host = {1, 2, 3, 4}, back = new float[4];
        rc = JCuda.cudaMalloc(p, 16);
        rc |=
                JCuda.cudaMemcpy(
                        p,
                        Pointer.to(host),
                        16,
                        jcuda.runtime.cudaMemcpyKind.cudaMemcpyHostToDevice);
        rc |=
                JCuda.cudaMemcpy(
                        Pointer.to(back),
                        p,
                        16,
                        jcuda.runtime.cudaMemcpyKind.cudaMemcpyDeviceToHost);
        rc |= JCuda.cudaFree(p);
        if (rc == 0 && Arrays.equals(host, back)) pass("runtime: cudaMalloc/cudaMemcpy round trip");
        else fail("runtime: round trip rc=" + rc + " " + Arrays.toString(back));
    }

    boolean noDriver() {
        if (CudaLibs.driver() != null) return false;
        fail("no CUDA driver (libcuda.so.1 not found)");
        return true;
    }

    // ---------------------------------------------------------------- driver + own kernel

    void driver() {
        if (noDriver()) return;
        CudaDevice dev = CudaDevice.get();
        System.out.println("  " + dev.facts());
        pass(
                "driver: cuInit, primary context on "
                        + dev.name
                        + ", "
                        + (dev.stream == null ? "legacy stream" : "own stream"));
        long t = System.nanoTime();
        dev.loadKernels();
        pass(
                String.format(
                        "own kernels: %d fatbins loaded (%.0f ms)",
                        CudaDevice.MODULES.length, (System.nanoTime() - t) / 1e6));
        int n = 100_003;
        float[] x = randoms(n, 1);
        float[] y = randoms(n, 2), want = new float[n], got = new float[n];
        for (int i = 0; i < n; i++) want[i] = y[i] + 0.5f * x[i];
        CUdeviceptr dx = dev.alloc(4L * n), dy = dev.alloc(4L * n);
        JCudaDriver.cuMemcpyHtoD(dx, Pointer.to(x), 4L * n);
        JCudaDriver.cuMemcpyHtoD(dy, Pointer.to(y), 4L * n);
        dev.launch("axpy", n, 0.5f, dx, dy, n);
        JCudaDriver.cuMemcpyDtoH(Pointer.to(got), dy, 4L * n);
        dev.free(dx, 4L * n);
        dev.free(dy, 4L * n);
        if (Arrays.equals(want, got))
            pass("own kernel axpy (n=" + n + ") equals the CPU bit for bit");
        else fail("own kernel axpy differs from the CPU");
    }

    static float[] randoms(int n, long seed) {
        Random r = new Random(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    // ---------------------------------------------------------------- cuBLAS

    void cublas() {
        if (noDriver()) return;
        CudaDevice dev = CudaDevice.get();
        Blas blas = Blas.get();
        System.out.println(
                "  cuBLAS version " + blas.version + (blas.tf32 ? " (TF32)" : " (FP32)"));
        JCudaNatives.log().forEach(l -> System.out.println("  " + l));
        pass("cuBLAS loaded (version " + blas.version + ")");
        int m = 257, n = 263, k = 259;
        float[] a = randoms(m * k, 3),
                b = randoms(k * n, 4),
                c = new float[m * n],
                got = new float[m * n];
        for (boolean ta : new boolean[] {false, true}) {
            float[] want = c.clone();
            new CpuBackend()
                    .gemm(
                            ta,
                            false,
                            1f,
                            Tensor.of(a.clone(), ta ? new int[] {k, m} : new int[] {m, k}),
                            Tensor.of(b.clone(), k, n),
                            0f,
                            Tensor.of(want, m, n));
            CUdeviceptr da = dev.alloc(4L * a.length),
                    db = dev.alloc(4L * b.length),
                    dc = dev.alloc(4L * c.length);
            JCudaDriver.cuMemcpyHtoD(da, Pointer.to(a), 4L * a.length);
            JCudaDriver.cuMemcpyHtoD(db, Pointer.to(b), 4L * b.length);
            blas.sgemm(ta, false, m, n, k, 1f, da, ta ? m : k, db, n, 0f, dc, n);
            JCudaDriver.cuMemcpyDtoH(Pointer.to(got), dc, 4L * c.length);
            dev.free(da, 4L * a.length);
            dev.free(db, 4L * b.length);
            dev.free(dc, 4L * c.length);
            double err = relErr(got, want);
            String what =
                    String.format(
                            "cublasSgemm %s %dx%dx%d vs CPU: rel err %.2e",
                            ta ? "TN" : "NN", m, n, k, err);
            if (err < (blas.tf32 ? 1e-2 : 1e-5)) pass(what);
            else fail(what);
        }
    }

    static double relErr(float[] got, float[] want) {
        double max = 1e-3, err = 0;
        for (float w : want) max = Math.max(max, Math.abs(w));
        for (int i = 0; i < want.length; i++) {
            double e = Math.abs((double) got[i] - want[i]);
            err = Double.isNaN(e) ? Double.POSITIVE_INFINITY : Math.max(err, e);
        }
        return err / max;
    }

    // ---------------------------------------------------------------- cuDNN

    void cudnn() {
        if (noDriver()) return;
        CudaDevice dev = CudaDevice.get();
        dev.loadKernels();
        Dnn dnn = Dnn.get();
        pass("cuDNN loaded (version " + dnn.versionString() + ")");
        int[][] convs = {{10, 20, 32, 32, 40, 3, 2, 1}, {3, 5, 9, 11, 7, 3, 1, 1}};
        for (int[] s : convs) {
            int n = s[0],
                    ci = s[1],
                    h = s[2],
                    w = s[3],
                    co = s[4],
                    kk = s[5],
                    st = s[6],
                    pad = s[7];
            int ho = Shape.convOut(h, kk, st, pad), wo = Shape.convOut(w, kk, st, pad);
            float[] x = randoms(n * ci * h * w, 5),
                    wt = randoms(co * ci * kk * kk, 6),
                    want = new float[n * co * ho * wo],
                    got = new float[want.length];
            new CpuBackend()
                    .conv2d(
                            Tensor.of(x.clone(), n, ci, h, w),
                            Tensor.of(wt.clone(), co, ci, kk, kk),
                            st,
                            pad,
                            Tensor.of(want, n, co, ho, wo));
            CUdeviceptr dx = dev.alloc(4L * x.length),
                    dw = dev.alloc(4L * wt.length),
                    dy = dev.alloc(4L * got.length);
            JCudaDriver.cuMemcpyHtoD(dx, Pointer.to(x), 4L * x.length);
            JCudaDriver.cuMemcpyHtoD(dw, Pointer.to(wt), 4L * wt.length);
            dnn.convForward(dx, dw, dy, n, ci, h, w, co, kk, kk, st, pad);
            JCudaDriver.cuMemcpyDtoH(Pointer.to(got), dy, 4L * got.length);
            dev.free(dx, 4L * x.length);
            dev.free(dw, 4L * wt.length);
            dev.free(dy, 4L * got.length);
            double err = relErr(got, want);
            String what =
                    String.format(
                            "cudnnConvolutionForward %s (algos %s) vs CPU: rel err %.2e",
                            Arrays.toString(s),
                            dnn.algorithms(n, ci, h, w, co, kk, kk, st, pad),
                            err);
            if (err < Parity.CONV) pass(what);
            else fail(what);
        }
        convTranspose();
    }

    /**
     * conv_transpose2d through CudaBackend (cuDNN's backward-data convolution) vs the CPU, at odd
     * shapes with output padding and the gated-conv VAE decoder's ({@link Parity#CONV_TRANSPOSES}).
     */
    void convTranspose() {
        Backend gpu = Backends.get(Device.CUDA), cpu = new CpuBackend();
        for (int[] c : Parity.CONV_TRANSPOSES) {
            int n = c[0], ci = c[1], h = c[2], w = c[3], co = c[4], k = c[5], st = c[6];
            int ho = Shape.convTransposeOut(h, k, st, c[7], c[8]);
            int wo = Shape.convTransposeOut(w, k, st, c[7], c[8]);
            float[] x = randoms(n * ci * h * w, 7), wt = randoms(ci * co * k * k, 8);
            float[][] out = new float[2][];
            Backend[] bs = {cpu, gpu};
            for (int i = 0; i < 2; i++) {
                Tensor y = bs[i].zeros(n, co, ho, wo);
                bs[i].convTranspose2d(
                        bs[i].upload(x, n, ci, h, w), bs[i].upload(wt, ci, co, k, k), st, c[7], y);
                out[i] = bs[i].download(y);
            }
            double err = relErr(out[1], out[0]);
            String what =
                    String.format(
                            "convTranspose2d %s (cuDNN backward data) vs CPU: rel err %.2e",
                            Arrays.toString(c), err);
            if (err < Parity.CONV) pass(what);
            else fail(what);
        }
    }

    // ---------------------------------------------------------------- parity

    void parity() {
        if (noDriver()) return;
        Backend gpu = Backends.get(Device.CUDA);
        System.out.println("  " + gpu.describe());
        int ok = 0, bad = 0;
        for (Parity.Result r : new Parity(new CpuBackend(), gpu, 42).runAll()) {
            System.out.println("  " + r);
            if (r.ok()) ok++;
            else bad++;
        }
        String what = "parity: " + ok + " of " + (ok + bad) + " primitive cases match the CPU";
        if (bad == 0) pass(what);
        else fail(what + " (" + bad + " differ, see FAIL lines above)");
        CudaDevice dev = CudaDevice.get();
        System.out.printf(
                "  device memory: %.1f MiB live, %.1f MiB pooled%n",
                dev.liveBytes() / 1048576.0, dev.pooledBytes() / 1048576.0);
    }

    // ---------------------------------------------------------------- iteration (whole ARM
    // iteration parity)

    /**
     * One ARM iteration of the MLP and of ResNet18 on CUDA and on the CPU from the same seed and
     * weights ({@link IterationParity#run}): relative error of the weight deltas against its
     * tolerance.
     */
    void iteration() {
        if (noDriver()) return;
        // the CPU side is ResNet18 training too: use the cores (read when the CPU kernels first
        // load)
        if (System.getProperty("arm.threads") == null)
            System.setProperty(
                    "arm.threads",
                    Integer.toString(Math.min(8, Runtime.getRuntime().availableProcessors())));
        try {
            for (var e : IterationParity.run("cuda").entrySet()) {
                IterationParity.Check k = e.getValue();
                String what =
                        String.format(
                                "%s, CUDA vs CPU: rel err of the weight deltas %.2e (tolerance"
                                    + " %.1e; CPU self-sensitivity to a 1e-6 weight change %.1e)",
                                e.getKey(), k.error(), k.tolerance(), k.cpuSensitivity());
                if (k.ok()) pass(what);
                else fail(what);
            }
        } catch (RuntimeException e) {
            fail("iteration parity: " + e);
            e.printStackTrace(System.out);
        }
    }

    // ---------------------------------------------------------------- bench

    /** Median seconds of {@code reps} runs after {@code warm} warm-ups, synchronising the GPU. */
    static double time(Runnable r, Runnable sync, int warm, int reps) {
        for (int i = 0; i < warm; i++) r.run();
        sync.run();
        double[] t = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t0 = System.nanoTime();
            r.run();
            sync.run();
            t[i] = (System.nanoTime() - t0) / 1e9;
        }
        Arrays.sort(t);
        return t[reps / 2];
    }

    static void bench(String name, double value, String unit) {
        System.out.printf("BENCH %-44s %12.4f %s%n", name, value, unit);
    }

    /** ResNet18 (nf=20, CIFAR) convolutions: {Ci, H, Co, k, stride, pad, count}. */
    static final int[][] RESNET_CONVS = {
        {3, 32, 20, 3, 1, 1, 1},
        {20, 32, 20, 3, 1, 1, 4},
        {20, 32, 40, 3, 2, 1, 1},
        {40, 16, 40, 3, 1, 1, 3},
        {20, 32, 40, 1, 2, 0, 1},
        {40, 16, 80, 3, 2, 1, 1},
        {80, 8, 80, 3, 1, 1, 3},
        {40, 16, 80, 1, 2, 0, 1},
        {80, 8, 160, 3, 2, 1, 1},
        {160, 4, 160, 3, 1, 1, 3},
        {80, 8, 160, 1, 2, 0, 1}
    };

    void bench() {
        if (noDriver()) return;
        CudaBackend gpu = (CudaBackend) Backends.get(Device.CUDA);
        CpuBackend cpu = new CpuBackend();
        System.out.println("  " + gpu.describe() + "; cpu: " + cpu.describe());
        System.out.println("  versions " + gpu.info());
        Runnable sync = gpu::sync, none = () -> {};
        try (Scope s = Scope.open()) {
            for (int n : new int[] {1024, 4096}) {
                Tensor a = gpu.upload(randoms(n * n, 7), n, n),
                        b = gpu.upload(randoms(n * n, 8), n, n),
                        c = gpu.zeros(n, n);
                double sec = time(() -> gpu.gemm(false, false, 1f, a, b, 0f, c), sync, 3, 10);
                bench("gemm cuBLAS " + n + "^3", 2.0 * n * n * n / sec / 1e9, "GFLOP/s");
            }
            int n = 512;
            Tensor a = Tensor.of(randoms(n * n, 7), n, n),
                    b = Tensor.of(randoms(n * n, 8), n, n),
                    c = Tensor.zeros(n, n);
            double sec = time(() -> cpu.gemm(false, false, 1f, a, b, 0f, c), none, 1, 3);
            bench("gemm CPU (ours) " + n + "^3", 2.0 * n * n * n / sec / 1e9, "GFLOP/s");
        }
        // per-op overhead: the ARM iteration at N = 10 / M = 100 is thousands of small ops
        try (Scope s = Scope.open()) {
            Tensor x = gpu.upload(randoms(1000, 11), 1000), y = gpu.zeros(1000);
            double sec =
                    time(
                            () -> {
                                for (int i = 0; i < 1000; i++) gpu.axpy(0.5f, x, y);
                            },
                            sync,
                            2,
                            5);
            bench("launch overhead (axpy n=1000, per op)", sec / 1000 * 1e6, "us");
        }
        // conv forward + backward of every ResNet18 conv at N = 100 (the recalled batch)
        double total = 0;
        try (Scope s = Scope.open()) {
            for (int[] r : RESNET_CONVS) {
                int N = 100,
                        ci = r[0],
                        h = r[1],
                        co = r[2],
                        k = r[3],
                        st = r[4],
                        pad = r[5],
                        count = r[6];
                int ho = Shape.convOut(h, k, st, pad);
                Tensor x = gpu.upload(randoms(N * ci * h * h, 9), N, ci, h, h),
                        w = gpu.upload(randoms(co * ci * k * k, 10), co, ci, k, k);
                Tensor y = gpu.zeros(N, co, ho, ho),
                        dx = gpu.zeros(N, ci, h, h),
                        dw = gpu.zeros(co, ci, k, k);
                double f = time(() -> gpu.conv2d(x, w, st, pad, y), sync, 3, 10);
                double bd = time(() -> gpu.conv2dBackwardInput(y, w, st, pad, dx), sync, 3, 10);
                double bw = time(() -> gpu.conv2dBackwardWeight(x, y, st, pad, dw), sync, 3, 10);
                String tag = String.format("conv N100 %d->%d %dx%d k%d s%d", ci, co, h, h, k, st);
                bench(tag + " fwd", f * 1e3, "ms");
                bench(tag + " bwdData", bd * 1e3, "ms");
                bench(tag + " bwdFilter", bw * 1e3, "ms");
                total += count * (f + bd + bw);
            }
        }
        bench("ResNet18 convs fwd+bwd N=100 (sum)", total * 1e3, "ms");
        armIteration();
    }

    /** A whole ARM iteration (CIFAR setting: ResNet18 nf=20, N=10, M=100, S=10), then MNIST's. */
    void armIteration() {
        try {
            double sec = ArmIterationTiming.secondsPerIteration("cuda", 2, 3);
            bench("ARM iteration CIFAR ResNet18 N10 M100 S10 (ours, cuda)", sec * 1e3, "ms");
            pass("ARM iteration timed on CUDA");
            bench(
                    "MLP-ARM iteration MNIST N10 M10 S10 (ours, cuda)",
                    ArmIterationTiming.secondsPerIterationMnist("cuda", 3, 10) * 1e3,
                    "ms");
            bench(
                    "MLP-ARM iteration MNIST N10 M10 S10 (ours, cpu)",
                    ArmIterationTiming.secondsPerIterationMnist("cpu", 3, 10) * 1e3,
                    "ms");
        } catch (RuntimeException e) {
            fail("ARM iteration on CUDA: " + e);
            e.printStackTrace(System.out);
        }
    }
}

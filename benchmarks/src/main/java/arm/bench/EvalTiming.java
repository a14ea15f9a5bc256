package arm.bench;

import arm.data.ContinualData;
import arm.data.Dataset;
import arm.data.SyntheticData;
import arm.method.ContinualMethod;
import arm.method.Methods;
import arm.method.Stepper;
import arm.metrics.EvalPoint;
import arm.tensor.Backends;
import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * One run's evaluation (f_cur in eval mode on val + test, {@link ContinualMethod#evaluate}) timed
 * on its own, round after round: MNIST's MLP on val 3,003 + test 10,000 images, or ResNet18 on
 * CIFAR- shaped sets, random pixels, after a few Naive training steps. Prints wall, process CPU and
 * calling-thread CPU per evaluation and the accuracies (which must not move between builds); {@code
 * -Darm.threads} sets the kernel threads; {@code -Deval.mnist=data/mnist} takes val from the first
 * MNIST training images and test from the test images instead of random pixels.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -XX:+UseParallelGC -cp
 * benchmarks/target/benchmarks.jar arm.bench.EvalTiming [mnist|cifar10] [rounds] [val] [test]}
 */
public final class EvalTiming {
    private EvalTiming() {}

    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();
    private static final OperatingSystemMXBean OS =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

    public static void main(String[] args) throws java.io.IOException {
        String bench = args.length > 0 ? args[0] : "mnist";
        boolean mnist = bench.equals("mnist");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12,
                nVal = args.length > 2 ? Integer.parseInt(args[2]) : mnist ? 3003 : 500,
                nTest = args.length > 3 ? Integer.parseInt(args[3]) : mnist ? 10000 : 500;
        ContinualData s = SyntheticData.shapedLike(bench, 1);
        int[] item = s.val().itemShape();
        String real = System.getProperty("eval.mnist");
        Dataset val = random("val", nVal, item, 7), test = random("test", nTest, item, 8);
        if (mnist && real != null) { // real images: ~81% exact zeros (LinearEval skips them)
            arm.data.Mnist.Raw raw = arm.data.Mnist.load(java.nio.file.Path.of(real));
            val = raw.train().subset("val", java.util.stream.IntStream.range(0, nVal).toArray());
            test = raw.test().subset("test", java.util.stream.IntStream.range(0, nTest).toArray());
            System.out.println("# val and test: real MNIST images from " + real);
        }
        ContinualData data =
                new ContinualData(
                        s.train(),
                        s.stream(),
                        val,
                        test,
                        s.numClasses(),
                        s.classesPerTask(),
                        s.batchSize());
        Stepper run =
                Stepper.create(Methods.create("Naive", bench, Map.of("device", "cpu")), data, 42);
        System.out.println("# " + Backends.cpu().describe());
        int t = 0;
        for (int i = 0; i < 20; i++) run.train(t++);
        for (int r = 0; r < rounds; r++) {
            long w = System.nanoTime(),
                    p = OS.getProcessCpuTime(),
                    c = MX.getCurrentThreadCpuTime();
            EvalPoint e = ContinualMethod.evaluate(run.model(), data, t, run.seenClasses(), 0);
            System.out.printf(
                    "evaluation %2d  wall %7.4f s  process CPU %7.4f s  thread CPU %7.4f s  val"
                            + " %.6f test %.6f  %s  (load %.2f)%n",
                    r,
                    (System.nanoTime() - w) / 1e9,
                    (OS.getProcessCpuTime() - p) / 1e9,
                    (MX.getCurrentThreadCpuTime() - c) / 1e9,
                    e.valPooled(),
                    e.testPooled(),
                    Arrays.hashCode(e.testPerClass()),
                    OS.getSystemLoadAverage());
        }
    }

    static Dataset random(String name, int n, int[] item, long seed) {
        int size = 1;
        for (int d : item) size *= d;
        byte[] px = new byte[n * size];
        new SplittableRandom(seed).nextBytes(px);
        int[] labels = new int[n];
        Arrays.setAll(labels, i -> (i * 7) % 10);
        return new Dataset(name, px, labels, item);
    }
}

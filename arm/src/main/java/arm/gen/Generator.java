package arm.gen;

import arm.data.Cifar10;
import arm.data.Dataset;
import arm.data.MiniImageNet;
import arm.data.Mnist;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Writes a dataset in the layout of CIFAR-10 or MiniImageNet that our loaders read unchanged, made
 * from MNIST digits ({@link Painter}: shape and hue carry the class) or from pure noise: for
 * checking the whole pipeline end to end and timing it without the real archives. Deterministic:
 * the same spec gives the same bytes (each image is painted from its own random stream, seeded from
 * the seed, split, class and index, so the thread count does not matter).
 *
 * <ul>
 *   <li>CIFAR10: {@value Cifar10#PY_DIR}/ (data_batch_1 … 5, test_batch, batches.meta: python 2
 *       pickles) and {@value Cifar10#BIN_DIR}/ (data_batch_1.bin … 5.bin, test_batch.bin,
 *       batches.meta.txt), the classes interleaved in a shuffled order as in the real files. Class
 *       c is digit c in hue c. Train images paint MNIST training digits, test images MNIST test
 *       digits.
 *   <li>MiniImageNet: train.csv (64 classes), val.csv (16), test.csv (20), each class's images
 *       listed contiguously, and images/&lt;wnid&gt;&lt;index&gt;.jpg at 84×84. Class c is digit c
 *       mod 10 in hue ⌊c/10⌋; the first 80 % of a class (the loader's train pool) paint MNIST
 *       training digits, the rest MNIST test digits.
 * </ul>
 *
 * Beside the data, generated.json records the spec and the SHA-256 of what was written.
 */
public final class Generator {
    public enum Kind {
        cifar10,
        miniimagenet
    }

    public enum Source {
        mnist,
        noise
    }

    /** Which CIFAR layouts to write. */
    public enum Format {
        both,
        python,
        binary
    }

    public static final int CIFAR_PER_CLASS = 5000, CIFAR_TEST_PER_CLASS = 1000;
    public static final int MINI_PER_CLASS = 600, MINI_CLASSES = 100;
    public static final int[] MINI_CSV_CLASSES = {64, 16, 20};
    public static final String INFO = "generated.json";

    /**
     * What to generate.
     *
     * @param perClass CIFAR10: training images per class; MiniImageNet: images per class
     * @param testPerClass CIFAR10 only: test images per class
     * @param threads images painted at a time
     */
    public record Spec(
            Kind kind,
            Path out,
            Source source,
            Path mnist,
            int perClass,
            int testPerClass,
            long seed,
            Format format,
            int threads) {}

    private Generator() {}

    /** The full-size spec of a kind (the real datasets' counts). */
    public static Spec full(Kind kind, Path out, Path mnist, long seed) {
        return kind == Kind.cifar10
                ? new Spec(
                        kind,
                        out,
                        Source.mnist,
                        mnist,
                        CIFAR_PER_CLASS,
                        CIFAR_TEST_PER_CLASS,
                        seed,
                        Format.both,
                        1)
                : new Spec(kind, out, Source.mnist, mnist, MINI_PER_CLASS, 0, seed, Format.both, 1);
    }

    // ------------------------------------------------------------ checks

    /**
     * Null when the counts give a benchmark the loader builds (whole batches per task, at least one
     * val and test image per class), else why not, with the nearest counts that do.
     */
    public static String countProblem(Kind kind, int perClass, int testPerClass) {
        if (kind == Kind.cifar10) {
            if (perClass < 1 || perClass > CIFAR_PER_CLASS)
                return "--per-class must be 1 … "
                        + CIFAR_PER_CLASS
                        + " (CIFAR10's size), got "
                        + perClass;
            if (testPerClass < 1 || testPerClass > CIFAR_TEST_PER_CLASS)
                return "--test-per-class must be 1 … "
                        + CIFAR_TEST_PER_CLASS
                        + ", got "
                        + testPerClass;
            if (!cifarBuilds(perClass))
                return "--per-class "
                        + perClass
                        + " does not split into whole batches: the loader keeps ⌊0.95·n⌋ training"
                        + " and ⌊0.05·n⌋ ≥ 1 val images per class and needs 2·⌊0.95·n⌋ to be a"
                        + " multiple of 10; nearest that work: "
                        + nearest(perClass, CIFAR_PER_CLASS, Generator::cifarBuilds);
            return null;
        }
        if (perClass < 1 || perClass > MINI_PER_CLASS)
            return "--per-class must be 1 … "
                    + MINI_PER_CLASS
                    + " (MiniImageNet's size), got "
                    + perClass;
        if (!miniBuilds(perClass))
            return "--per-class "
                    + perClass
                    + " does not split into whole batches: the loader keeps ⌊0.8·n⌋ images per"
                    + " class for training (at least one left for test), ⌊0.95·5·⌊0.8·n⌋⌋ of them"
                    + " per task (at least one left for val), and needs 3 times that to be a"
                    + " multiple of 10; nearest that work: "
                    + nearest(perClass, MINI_PER_CLASS, Generator::miniBuilds);
        return null;
    }

    /** The loader's split arithmetic (Cifar10.build) for n = 10·perClass training images. */
    static boolean cifarBuilds(int perClass) {
        Cifar10.Config c = Cifar10.CIFAR10_5;
        int n = perClass * Cifar10.NUM_CLASSES;
        int perTrain = (int) ((n / (double) Cifar10.NUM_CLASSES) * c.trainFraction());
        int perVal = (int) ((n / (double) Cifar10.NUM_CLASSES) * (1 - c.trainFraction()));
        long block = (long) perTrain * c.classesPerTask() * c.taskRepeats();
        return perTrain >= 1 && perVal >= 1 && block % c.batchSize() == 0;
    }

    /** The loader's split arithmetic (MiniImageNet.split) for perClass images per class. */
    static boolean miniBuilds(int perClass) {
        MiniImageNet.Config c = MiniImageNet.MINIIMAGENET_20;
        int cut = (int) (c.trainTestFraction() * perClass);
        int pool = cut * c.classesPerTask(), block = (int) (pool * c.trainValFraction());
        return cut >= 1
                && cut < perClass
                && block >= 1
                && block < pool
                && (long) block * c.taskRepeats() % c.batchSize() == 0;
    }

    private static String nearest(int n, int max, java.util.function.IntPredicate ok) {
        List<String> out = new ArrayList<>();
        for (int d = n - 1; d >= 1; d--)
            if (ok.test(d)) {
                out.add(Integer.toString(d));
                break;
            }
        for (int u = n + 1; u <= max; u++)
            if (ok.test(u)) {
                out.add(Integer.toString(u));
                break;
            }
        return out.isEmpty() ? "none" : String.join(" or ", out);
    }

    // ------------------------------------------------------------ generating

    /**
     * Writes the dataset into {@code spec.out()} (which must not exist, or be an empty folder):
     * first into a hidden sibling folder, moved into place once complete, so an interrupted run
     * leaves no half dataset under that name. Then reads it back with the real loader.
     *
     * @return lines describing what was written and how the loader reads it
     */
    public static List<String> generate(Spec spec, Consumer<String> progress) throws IOException {
        String problem = countProblem(spec.kind(), spec.perClass(), spec.testPerClass());
        if (problem != null) throw new IllegalArgumentException(problem);
        Path out = spec.out().toAbsolutePath().normalize();
        if (Files.exists(out) && !(Files.isDirectory(out) && isEmpty(out)))
            throw new IllegalArgumentException(
                    "--out " + spec.out() + " exists and is not an empty folder; name a new one");
        Digits digits = spec.source() == Source.mnist ? Digits.load(spec.mnist()) : null;
        Path parent = out.getParent();
        Files.createDirectories(parent);
        Path tmp =
                parent.resolve(
                        "." + out.getFileName() + ".partial-" + ProcessHandle.current().pid());
        deleteTree(tmp);
        Files.createDirectories(tmp);
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("generator", "arm generate");
        info.put("benchmark", spec.kind().name());
        info.put("source", spec.source().name());
        info.put("seed", spec.seed());
        info.put("perClass", spec.perClass());
        if (spec.kind() == Kind.cifar10) info.put("testPerClass", spec.testPerClass());
        info.put(
                "note",
                "generated data, not the real "
                        + (spec.kind() == Kind.cifar10 ? "CIFAR-10" : "MiniImageNet")
                        + ": numbers measured on it say nothing about the paper's");
        try {
            Map<String, String> sums =
                    spec.kind() == Kind.cifar10
                            ? Cifar.write(spec, digits, tmp, progress)
                            : Mini.write(spec, digits, tmp, progress);
            info.put("sha256", sums);
            Files.write(
                    tmp.resolve(INFO),
                    new ObjectMapper()
                            .enable(SerializationFeature.INDENT_OUTPUT)
                            .writeValueAsBytes(info));
            if (Files.isDirectory(out)) Files.delete(out);
            Files.move(tmp, out);
        } finally {
            deleteTree(tmp);
        }
        return spec.kind() == Kind.cifar10 ? Cifar.check(out, spec) : Mini.check(out);
    }

    /** Paints images 0 … n−1 on {@code threads} threads; {@code paint} must be thread-safe. */
    static void parallel(int n, int threads, java.util.function.IntConsumer paint)
            throws IOException {
        ForkJoinPool pool = new ForkJoinPool(Math.max(1, threads));
        try {
            pool.submit(() -> IntStream.range(0, n).parallel().forEach(paint)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UncheckedIOException u) throw u.getCause();
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IOException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    /** One image's random stream: from the seed, the split (0 train, 1 test), class and index. */
    static SplittableRandom rng(long seed, int split, int cls, int index) {
        long h = mix(seed ^ 0x6172_6d67_656eL);
        h = mix(h + split);
        h = mix(h + cls);
        return new SplittableRandom(mix(h + index));
    }

    /** Stafford's mix13 (as in SplittableRandom). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** A class's image: digit {@code digit} in hue {@code hue}, or noise. */
    static byte[] paint(
            Spec spec, Digits digits, int side, int split, int cls, int digit, int hue, int index) {
        SplittableRandom r = rng(spec.seed(), split, cls, index);
        if (digits == null) return Painter.noise(side, r);
        return Painter.digit(
                digits.pick(split, digit, hue * 7919 + index, spec.seed()), side, hue, r);
    }

    static String sha256(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (byte[] p : parts) md.update(p);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(Path f) throws IOException {
        return sha256(Files.readAllBytes(f));
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var s = Files.walk(p)) {
            for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(q);
        }
    }

    static String count(long n) {
        return String.format(java.util.Locale.ROOT, "%,d", n);
    }

    // ------------------------------------------------------------ MNIST digits

    /** MNIST's images by split and digit; each generated image picks one. */
    record Digits(Dataset train, Dataset test, int[][][] byDigit) {
        static Digits load(Path dir) throws IOException {
            Mnist.Raw raw = Mnist.load(dir);
            int[][][] by = new int[2][10][];
            Dataset[] ds = {raw.train(), raw.test()};
            for (int s = 0; s < 2; s++)
                for (int d = 0; d < 10; d++) {
                    int dd = d;
                    int[] labels = ds[s].labels();
                    by[s][d] =
                            IntStream.range(0, labels.length)
                                    .filter(i -> labels[i] == dd)
                                    .toArray();
                }
            return new Digits(raw.train(), raw.test(), by);
        }

        /** The k-th image of digit d in split s, from a seed-dependent starting point. */
        byte[] pick(int split, int d, int k, long seed) {
            int[] idx = byDigit[split][d];
            int start = (int) Math.floorMod(mix(seed + d), (long) idx.length);
            int i = idx[Math.floorMod(start + k, idx.length)];
            Dataset ds = split == 0 ? train : test;
            byte[] out = new byte[28 * 28];
            System.arraycopy(ds.pixels(), i * out.length, out, 0, out.length);
            return out;
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}

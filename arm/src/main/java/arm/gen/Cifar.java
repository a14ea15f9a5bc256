package arm.gen;

import arm.data.Cifar10;
import arm.data.ContinualData;
import arm.data.Dataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** The CIFAR-10 half of {@link Generator}. */
final class Cifar {
    private Cifar() {}

    static final int FILES = 5, SIDE = 32;

    /** Writes both layouts (or one) into {@code dir}; returns the SHA-256 of every file. */
    static Map<String, String> write(
            Generator.Spec spec, Generator.Digits digits, Path dir, Consumer<String> progress)
            throws IOException {
        int[] trainLabels = order(spec.perClass(), spec.seed(), 0);
        int[] testLabels = order(spec.testPerClass(), spec.seed(), 1);
        progress.accept(
                "cifar10: painting "
                        + Generator.count(trainLabels.length)
                        + " training and "
                        + Generator.count(testLabels.length)
                        + " test images ("
                        + spec.source()
                        + ", seed "
                        + spec.seed()
                        + ")");
        byte[] train = paint(spec, digits, trainLabels, 0);
        byte[] test = paint(spec, digits, testLabels, 1);
        Map<String, String> sums = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < Cifar10.NUM_CLASSES; c++)
            names.add(spec.source() == Generator.Source.noise ? "noise" + c : "digit" + c);
        int per = trainLabels.length / FILES;
        boolean py = spec.format() != Generator.Format.binary,
                bin = spec.format() != Generator.Format.python;
        Path pyDir = dir.resolve(Cifar10.PY_DIR), binDir = dir.resolve(Cifar10.BIN_DIR);
        if (py) Files.createDirectories(pyDir);
        if (bin) Files.createDirectories(binDir);
        for (int f = 0; f <= FILES; f++) {
            boolean isTest = f == FILES;
            int[] l = isTest ? testLabels : Arrays.copyOfRange(trainLabels, f * per, (f + 1) * per);
            byte[] p =
                    isTest
                            ? test
                            : Arrays.copyOfRange(
                                    train,
                                    f * per * CifarFormat.IMAGE_BYTES,
                                    (f + 1) * per * CifarFormat.IMAGE_BYTES);
            String name = isTest ? "test_batch" : "data_batch_" + (f + 1);
            String label = isTest ? "testing batch 1 of 1" : "training batch " + (f + 1) + " of 5";
            if (py) put(sums, dir, pyDir.resolve(name), CifarFormat.pickle(l, p, label));
            if (bin) put(sums, dir, binDir.resolve(name + ".bin"), CifarFormat.binary(l, p));
        }
        if (py) put(sums, dir, pyDir.resolve("batches.meta"), CifarFormat.meta(names, per));
        if (bin)
            put(
                    sums,
                    dir,
                    binDir.resolve("batches.meta.txt"),
                    Generator.utf8(String.join("\n", names) + "\n"));
        return sums;
    }

    private static void put(Map<String, String> sums, Path root, Path f, byte[] bytes)
            throws IOException {
        Files.write(f, bytes);
        sums.put(root.relativize(f).toString(), Generator.sha256(bytes));
    }

    /** perClass labels of every class, in a shuffled order (the real files interleave classes). */
    static int[] order(int perClass, long seed, int split) {
        int[] l = new int[perClass * Cifar10.NUM_CLASSES];
        for (int i = 0; i < l.length; i++) l[i] = i % Cifar10.NUM_CLASSES;
        SplittableRandom r = Generator.rng(seed, split, -1, -1);
        for (int i = l.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1), t = l[i];
            l[i] = l[j];
            l[j] = t;
        }
        return l;
    }

    private static byte[] paint(
            Generator.Spec spec, Generator.Digits digits, int[] labels, int split)
            throws IOException {
        int[] within = new int[labels.length], seen = new int[Cifar10.NUM_CLASSES];
        for (int i = 0; i < labels.length; i++) within[i] = seen[labels[i]]++;
        byte[] out = new byte[labels.length * CifarFormat.IMAGE_BYTES];
        Generator.parallel(
                labels.length,
                spec.threads(),
                i -> {
                    int c = labels[i];
                    byte[] img = Generator.paint(spec, digits, SIDE, split, c, c, c, within[i]);
                    System.arraycopy(img, 0, out, i * img.length, img.length);
                });
        return out;
    }

    /** Reads every layout written back with the real loader and builds the benchmark from it. */
    static List<String> check(Path out, Generator.Spec spec) throws IOException {
        List<String> lines = new ArrayList<>();
        Dataset first = null;
        for (String sub : new String[] {Cifar10.PY_DIR, Cifar10.BIN_DIR}) {
            Path d = out.resolve(sub);
            if (!Files.isDirectory(d)) continue;
            Cifar10.Raw raw = Cifar10.read(d);
            if (first != null && !Arrays.equals(first.pixels(), raw.train().pixels()))
                throw new IllegalStateException(sub + " and " + Cifar10.PY_DIR + " differ");
            first = raw.train();
            ContinualData c = Cifar10.build(raw, 0, Cifar10.CIFAR10_5);
            lines.add(
                    String.format(
                            java.util.Locale.ROOT,
                            "%s: the CIFAR10 loader reads it as CIFAR10-5: %s train, %s val, %s"
                                    + " test images, %d tasks, %s iterations (T = %d)",
                            d,
                            Generator.count(c.train().size()),
                            Generator.count(c.val().size()),
                            Generator.count(c.test().size()),
                            c.numTasks(),
                            Generator.count(c.numBatches()),
                            c.batchesPerTask()));
        }
        return lines;
    }
}

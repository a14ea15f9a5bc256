package arm.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import arm.cli.Main;
import arm.data.Cifar10;
import arm.data.DataReaders;
import arm.data.Idx;
import arm.data.IdxFiles;
import arm.data.MiniImageNet;
import arm.data.Mnist;
import arm.method.Methods;
import arm.report.Npy;
import arm.report.RunFiles;
import arm.tensor.Tensor;
import com.sun.management.ThreadMXBean;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance test 2 of issue 7: every reader of a file we may be handed (IDX images and labels,
 * plain and gzip, a whole MNIST folder, safetensors, checkpoints, results.json, CIFAR binary and
 * pickle batches, MiniImageNet CSVs, JPEGs and decoded-image cache, plot's side files) is fed valid
 * files mutated at random: bit flips, truncation, size fields set to 0, −1, huge values, numbers in
 * text replaced by absurd ones, random overwrites, insertions, deletions, splices and wholly random
 * bytes. More than 10,000 cases in all, each of which must end in a correct load or in an {@link
 * IOException} whose message is one line naming the file: no other exception, no OutOfMemoryError,
 * no hang (a time limit per format), and no case may allocate much more memory than its file's size
 * (readers must not trust header fields).
 *
 * <p>Deterministic by default: {@link #SEEDS} is a fixed list of seeds, each run over every format
 * (every seed that ever found a defect is added to it, so the defect stays fixed). Real fuzzing is
 * a switch away: {@code -Darm.fuzz.seed=random -Darm.fuzz.cases=N} draws fresh seeds, one per round
 * of {@code -Darm.fuzz.per-format} cases per format, until N cases have run, printing every seed;
 * {@code -Darm.fuzz.seed=S} replays one seed (see docs/ROBUSTNESS.md).
 */
class FuzzTest {
    @TempDir static Path tmp;

    /** The seeds `mvn verify` runs: the first is arbitrary, the others each once found a defect. */
    static final long[] SEEDS = {20240611L, 799184753537L};

    static final int CASES = Integer.getInteger("arm.fuzz.per-format", 750);

    /** Allocation allowed per case beyond 64 × the file size. */
    static final long ALLOC_SLACK = 24L << 20;

    /** Reads one file; the result is ignored, only how it ends matters. */
    interface Loader {
        void load(Path file) throws Exception;
    }

    /**
     * A format: one valid sample, where the mutated copy goes, how it is read, and the offsets of
     * its binary size fields (byte offset, width 4 or 8, little-endian?).
     */
    record Target(String name, byte[] valid, Path file, Loader loader, int[][] sizeFields) {}

    @Test
    void everyReaderEndsInALoadOrAClearError() throws Exception {
        List<Target> targets = targets();
        String mode = System.getProperty("arm.fuzz.seed", "fixed");
        List<String> failures = new ArrayList<>();
        long start = System.nanoTime(), total = 0;
        if (mode.equals("random")) {
            long wanted = Long.getLong("arm.fuzz.cases", 200_000L);
            SecureRandom fresh = new SecureRandom();
            while (total < wanted && failures.isEmpty())
                total += round(targets, fresh.nextLong() >>> 1, failures);
        } else if (mode.equals("fixed")) {
            for (long seed : SEEDS) total += round(targets, seed, failures);
            assertThat(total).isGreaterThanOrEqualTo(10_000);
        } else {
            total += round(targets, Long.parseLong(mode), failures);
        }
        System.out.printf(
                "fuzz: %d cases in %.0f s, %d failures%n",
                total, (System.nanoTime() - start) / 1e9, failures.size());
        assertThat(failures).isEmpty();
    }

    /** Every format, CASES mutations each, from one seed; returns the number of cases run. */
    private static long round(List<Target> targets, long seed, List<String> failures) {
        Random rnd = new Random(seed);
        StringBuilder report = new StringBuilder("fuzz seed " + seed + ":");
        long total = 0;
        int before = failures.size();
        for (Target t : targets) {
            int[] outcome = new int[2];
            long start = System.nanoTime();
            long caseSeed = rnd.nextLong();
            assertTimeoutPreemptively(
                    Duration.ofSeconds(120),
                    () -> run(t, caseSeed, outcome, failures),
                    t.name() + " hangs");
            total += CASES;
            report.append(
                    String.format(
                            " %s %d loaded / %d rejected (%.1f s);",
                            t.name(), outcome[0], outcome[1], (System.nanoTime() - start) / 1e9));
        }
        System.out.println(report);
        for (int i = before; i < failures.size(); i++)
            failures.set(i, "seed " + seed + ": " + failures.get(i));
        return total;
    }

    /**
     * Whether an error message is safe to print: one line, not overlong, and no character a file
     * could have smuggled in (controls, raw bytes shown as latin1 or U+FFFD, non-ASCII other than
     * the few symbols our own messages use).
     */
    static boolean printable(String m) {
        if (m.length() > 700) return false;
        for (char c : m.toCharArray())
            if ((c < 0x20 || c >= 0x7f) && "×…−·λη∂".indexOf(c) < 0) return false;
        return true;
    }

    @Test
    void aJpegClaimingAHugeSizeIsRefusedBeforeTheDecoderAllocates() throws Exception {
        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        ByteArrayOutputStream jpg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", jpg);
        byte[] j = jpg.toByteArray();
        int sof = 2;
        while (!((j[sof] & 0xFF) == 0xFF && (j[sof + 1] & 0xFF) == 0xC0)) sof++;
        ByteBuffer.wrap(j).putShort(sof + 5, (short) 20000).putShort(sof + 7, (short) 20000);
        Path f = Files.write(tmp.resolve("bomb.jpg"), j);
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
        Assertions.assertThatThrownBy(() -> DataReaders.decodeImage(f, MiniImageNet.SIZE))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("20000×20000");
        assertThat(mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before)
                .isLessThan(64L << 20);
    }

    private static void run(Target t, long seed, int[] outcome, List<String> failures)
            throws IOException {
        Random rnd = new Random(seed);
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long self = Thread.currentThread().getId();
        for (int i = 0; i < CASES && failures.size() < 20; i++) {
            String how = mutate(t, rnd);
            byte[] bytes = lastMutation;
            Files.deleteIfExists(
                    t.file()); // a new file each time: rewriting one in place makes ext4
            // flush on close
            Files.write(t.file(), bytes);
            long before = mx.getThreadAllocatedBytes(self);
            String where = t.name() + " case " + i + " (" + how + ", " + bytes.length + " bytes)";
            try {
                t.loader().load(t.file());
                outcome[0]++;
            } catch (IOException e) {
                String m = String.valueOf(e.getMessage());
                if (!printable(m) || !m.contains(t.file().getFileName().toString()))
                    failures.add(where + ": unclear message: " + FileFormatException.oneLine(m));
                outcome[1]++;
            } catch (Throwable e) {
                failures.add(where + ": " + e);
            }
            long used = mx.getThreadAllocatedBytes(self) - before;
            if (used > 64L * Math.max(bytes.length, t.valid().length) + ALLOC_SLACK)
                failures.add(where + ": allocated " + (used >> 20) + " MiB");
        }
    }

    // ------------------------------------------------------------------------------------
    // mutations

    private static byte[] lastMutation;

    static final String[] ABSURD = {
        "-1",
        "0",
        "99999999999999999999",
        "2147483648",
        "-2147483649",
        "4294967296",
        "1e309",
        "1.5",
        "NaN",
        "null",
        "\"x\"",
        "[]",
        "{}",
        "9223372036854775807"
    };
    static final long[] SIZES = {
        0,
        -1,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        0xFFFFFFFFL,
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        1L << 40,
        1,
        7
    };

    /** Puts a mutated copy of t's valid sample into lastMutation and says what was done. */
    static String mutate(Target t, Random rnd) {
        byte[] v = t.valid().clone();
        int n = v.length;
        switch (rnd.nextInt(11)) {
            case 0 -> {
                int flips = 1 + rnd.nextInt(8);
                for (int k = 0; k < flips; k++) v[rnd.nextInt(n)] ^= (byte) (1 << rnd.nextInt(8));
                return set(v, flips + " bit flips");
            }
            case 1 -> {
                int len = rnd.nextInt(n);
                return set(Arrays.copyOf(v, len), "truncated to " + len);
            }
            case 2 -> {
                if (t.sizeFields().length == 0) return mutate(t, rnd);
                int[] f = t.sizeFields()[rnd.nextInt(t.sizeFields().length)];
                long val = rnd.nextInt(4) == 0 ? rnd.nextLong() : SIZES[rnd.nextInt(SIZES.length)];
                ByteBuffer b =
                        ByteBuffer.wrap(v)
                                .order(f[2] == 1 ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
                if (f[0] + f[1] > n) return mutate(t, rnd);
                if (f[1] == 8) b.putLong(f[0], val);
                else if (f[1] == 2) b.putShort(f[0], (short) (rnd.nextBoolean() ? 0xFFFF : val));
                else b.putInt(f[0], (int) val);
                return set(v, "size field @" + f[0] + " = " + val);
            }
            case 3 -> { // a number in text replaced by an absurd one
                List<int[]> runs = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (!Character.isDigit(v[i])) continue;
                    int j = i;
                    while (j < n
                            && (Character.isDigit(v[j])
                                    || v[j] == '.'
                                    || v[j] == 'E'
                                    || v[j] == 'e'
                                    || v[j] == '-')) j++;
                    runs.add(new int[] {i, j});
                    i = j;
                }
                if (runs.isEmpty()) return mutate(t, rnd);
                int[] r = runs.get(rnd.nextInt(runs.size()));
                String a = ABSURD[rnd.nextInt(ABSURD.length)];
                return set(
                        splice(v, r[0], r[1], a.getBytes(StandardCharsets.US_ASCII)),
                        "number @" + r[0] + " -> " + a);
            }
            case 4 -> {
                int at = rnd.nextInt(n), len = Math.min(n - at, 1 + rnd.nextInt(32));
                for (int i = at; i < at + len; i++) v[i] = (byte) rnd.nextInt(256);
                return set(v, "random bytes @" + at + "+" + len);
            }
            case 5 -> {
                int at = rnd.nextInt(n + 1);
                byte[] ins = new byte[1 + rnd.nextInt(64)];
                rnd.nextBytes(ins);
                return set(splice(v, at, at, ins), "inserted " + ins.length + " @" + at);
            }
            case 6 -> {
                int at = rnd.nextInt(n), len = Math.min(n - at, 1 + rnd.nextInt(256));
                return set(splice(v, at, at + len, new byte[0]), "deleted " + len + " @" + at);
            }
            case 7 -> {
                byte[] r = new byte[rnd.nextInt(2 * n + 1)];
                rnd.nextBytes(r);
                if (rnd.nextBoolean() && r.length > 0)
                    System.arraycopy(v, 0, r, 0, Math.min(r.length, Math.min(n, 16)));
                return set(r, "random file");
            }
            case 8 -> {
                int from = rnd.nextInt(n),
                        len = Math.min(n - from, 1 + rnd.nextInt(512)),
                        at = rnd.nextInt(n + 1);
                return set(
                        splice(v, at, at, Arrays.copyOfRange(v, from, from + len)),
                        "spliced " + len + " @" + at);
            }
            case 9 -> {
                byte[] special = {
                    0, (byte) 0xFF, '{', '}', '"', '[', ',', '\\', ':', (byte) 0x80, '\n'
                };
                int at = rnd.nextInt(n);
                v[at] = special[rnd.nextInt(special.length)];
                return set(v, "special byte @" + at);
            }
            default -> {
                byte[] g = new byte[1 + rnd.nextInt(100)];
                rnd.nextBytes(g);
                return set(splice(v, n, n, g), "appended " + g.length);
            }
        }
    }

    private static String set(byte[] v, String how) {
        lastMutation = v;
        return how;
    }

    static byte[] splice(byte[] v, int from, int to, byte[] with) {
        byte[] out = new byte[v.length - (to - from) + with.length];
        System.arraycopy(v, 0, out, 0, from);
        System.arraycopy(with, 0, out, from, with.length);
        System.arraycopy(v, to, out, from + with.length, v.length - to);
        return out;
    }

    // ------------------------------------------------------------------------------------ targets

    static List<Target> targets() throws Exception {
        Random r = new Random(1);
        List<Target> out = new ArrayList<>();
        byte[] px = new byte[5 * 784];
        r.nextBytes(px);
        byte[] images = IdxFiles.images(Idx.IMAGES_MAGIC, 5, 28, 28, px);
        byte[] labels = IdxFiles.labels(Idx.LABELS_MAGIC, 5, new byte[] {0, 9, 3, 3, 7});
        int[][] imageFields = {{0, 4, 0}, {4, 4, 0}, {8, 4, 0}, {12, 4, 0}},
                labelFields = {{0, 4, 0}, {4, 4, 0}};
        Path dir = Files.createDirectories(tmp.resolve("f"));
        out.add(
                new Target(
                        "idx-images",
                        images,
                        dir.resolve("a-idx3-ubyte"),
                        f -> Idx.readImages(f, 28, 28),
                        imageFields));
        out.add(
                new Target(
                        "idx-images-gz",
                        IdxFiles.gzip(images),
                        dir.resolve("b-idx3-ubyte.gz"),
                        f -> Idx.readImages(f, 28, 28),
                        new int[0][]));
        out.add(
                new Target(
                        "idx-labels",
                        labels,
                        dir.resolve("c-idx1-ubyte"),
                        f -> Idx.readLabels(f, 10),
                        labelFields));
        out.add(
                new Target(
                        "idx-labels-gz",
                        IdxFiles.gzip(labels),
                        dir.resolve("d-idx1-ubyte.gz"),
                        f -> Idx.readLabels(f, 10),
                        new int[0][]));

        // a whole MNIST folder with one of its four files damaged (the loader also cross-checks
        // counts)
        Path mnist = tmp.resolve("mnist");
        int[] per = new int[10];
        Arrays.fill(per, 2);
        IdxFiles.writeMnist(mnist, per, per, false);
        Path victim = mnist.resolve(Mnist.TRAIN_LABELS);
        out.add(
                new Target(
                        "mnist-folder",
                        Files.readAllBytes(victim),
                        victim,
                        f -> Mnist.load(mnist),
                        labelFields));

        Map<String, Tensor> ts = new LinkedHashMap<>();
        ts.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        ts.put("b", Tensor.of(new float[] {7, 8}, 2));
        byte[] st = SafeTensors.encode(ts, Map.of("k", "v"), false);
        out.add(
                new Target(
                        "safetensors",
                        st,
                        dir.resolve("e.safetensors"),
                        SafeTensors::read,
                        new int[][] {{0, 8, 1}}));

        // a real checkpoint and results.json from a short real run
        Path run = tmp.resolve("run"), runData = tmp.resolve("run-mnist");
        Arrays.fill(per, 30);
        IdxFiles.writeMnist(runData, per, new int[] {2, 2, 2, 2, 2, 2, 2, 2, 2, 2}, false);
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        int code =
                Main.run(
                        new String[] {
                            "train",
                            "--method",
                            "ARM",
                            "--runs",
                            "1",
                            "--samples-per-class",
                            "20",
                            "--data",
                            runData.toString(),
                            "--out",
                            run.toString(),
                            "--mlp_hidden",
                            "4",
                            "--threads",
                            "1",
                            "--keep-checkpoints"
                        },
                        Methods::create,
                        new PrintStream(sink),
                        new PrintStream(sink));
        assertThat(code).as(sink.toString()).isZero();
        out.add(
                new Target(
                        "checkpoint",
                        Files.readAllBytes(run.resolve("checkpoints/ARM-run0.safetensors")),
                        dir.resolve("g.safetensors"),
                        Checkpoint::read,
                        new int[][] {{0, 8, 1}}));
        out.add(
                new Target(
                        "results-json",
                        Files.readAllBytes(run.resolve("results.json")),
                        dir.resolve("results.json"),
                        ResultsJson::read,
                        new int[0][]));

        out.addAll(cifar(dir));
        out.addAll(miniImageNet(tmp.resolve("mini")));
        out.addAll(sideFiles(tmp.resolve("side")));
        return out;
    }

    /** What `plot` reads beside results.json: a recall history (CSV) and recalled images (.npy). */
    static List<Target> sideFiles(Path dir) throws IOException {
        List<Target> out = new ArrayList<>();
        Files.createDirectories(dir);
        String history = "t,p0,p1,p2\n1,0.5,0.25,0.25\n2,0.125,0.75,0.125\n3,0,0,1\n";
        String pairs = "pair,t,originator,target,probability\n0,3,0,2,0.875\n1,3,1,1,0.5\n";
        Files.writeString(dir.resolve("pairs.csv"), pairs);
        float[] px = new float[2 * 2 * 6];
        for (int i = 0; i < px.length; i++) px[i] = i / 7f;
        Npy.write(dir.resolve("pairs.npy"), px, 2, 2, 6);
        byte[] npy = Files.readAllBytes(dir.resolve("pairs.npy"));
        Files.writeString(dir.resolve("history.csv"), history);
        out.add(
                new Target(
                        "recall-history-csv",
                        history.getBytes(StandardCharsets.US_ASCII),
                        dir.resolve("history.csv"),
                        f ->
                                RunFiles.readRecall(
                                        dir,
                                        "history.csv",
                                        "pairs.csv",
                                        "pairs.npy",
                                        new int[] {6}),
                        new int[0][]));
        Path npyDir = Files.createDirectories(dir.resolve("npy"));
        Files.writeString(npyDir.resolve("history.csv"), history);
        Files.writeString(npyDir.resolve("pairs.csv"), pairs);
        out.add(
                new Target(
                        "recalled-npy",
                        npy,
                        npyDir.resolve("pairs.npy"),
                        f ->
                                RunFiles.readRecall(
                                        npyDir,
                                        "history.csv",
                                        "pairs.csv",
                                        "pairs.npy",
                                        new int[] {6}),
                        new int[][] {{8, 2, 1}}));
        return out;
    }

    static List<Target> cifar(Path dir) throws IOException {
        List<Target> out = new ArrayList<>();
        byte[] bin = new byte[3 * Cifar10.RECORD_BYTES];
        new Random(2).nextBytes(bin);
        for (int i = 0; i < 3; i++) bin[i * Cifar10.RECORD_BYTES] = (byte) i;
        out.add(
                new Target(
                        "cifar-binary",
                        bin,
                        dir.resolve("data_batch_1.bin"),
                        f -> Cifar10.readBinary(List.of(f), "fuzz"),
                        new int[0][]));
        for (String protocol : List.of("2", "4")) {
            try (var pkl =
                    FuzzTest.class.getResourceAsStream("/cifar/py3_protocol" + protocol + ".pkl")) {
                out.add(
                        new Target(
                                "cifar-pickle-p" + protocol,
                                pkl.readAllBytes(),
                                dir.resolve("data_batch_" + protocol),
                                f -> Cifar10.readPickles(List.of(f), "fuzz"),
                                new int[0][]));
            }
        }
        return out;
    }

    static List<Target> miniImageNet(Path dir) throws IOException {
        List<Target> out = new ArrayList<>();
        Files.createDirectories(dir.resolve("images"));
        StringBuilder csv = new StringBuilder("filename,label\n");
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < 4; i++)
                csv.append("n0")
                        .append(c)
                        .append("_")
                        .append(i)
                        .append(".jpg,n0")
                        .append(c)
                        .append('\n');
        for (String name : MiniImageNet.CSVS) Files.writeString(dir.resolve(name), csv);
        out.add(
                new Target(
                        "miniimagenet-csv",
                        csv.toString().getBytes(StandardCharsets.UTF_8),
                        dir.resolve("val.csv"),
                        f -> MiniImageNet.readListing(dir),
                        new int[0][]));

        BufferedImage img = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
        Random r = new Random(3);
        for (int y = 0; y < 30; y++) for (int x = 0; x < 40; x++) img.setRGB(x, y, r.nextInt());
        ByteArrayOutputStream jpg = new ByteArrayOutputStream();
        ImageIO.write(img, "jpg", jpg);
        byte[] jpeg = jpg.toByteArray();
        int sof =
                2; // the frame header's height and width (2 bytes each) are the JPEG's size fields
        while (sof + 9 < jpeg.length
                && !((jpeg[sof] & 0xFF) == 0xFF && (jpeg[sof + 1] & 0xFF) == 0xC0)) sof++;
        out.add(
                new Target(
                        "miniimagenet-jpeg",
                        jpeg,
                        dir.resolve("x.jpg"),
                        f -> DataReaders.decodeImage(f, MiniImageNet.SIZE),
                        new int[][] {{sof + 5, 2, 0}, {sof + 7, 2, 0}}));

        // the decoded-image cache: magic, side, count, fingerprint (big-endian), then count images
        MiniImageNet.Listing listing = MiniImageNet.readListing(dir);
        int n = listing.files().size();
        ByteBuffer b = ByteBuffer.allocate(24 + n * MiniImageNet.ITEM_BYTES);
        b.put("ARMMINI1".getBytes(StandardCharsets.US_ASCII))
                .putInt(MiniImageNet.SIZE)
                .putInt(n)
                .putLong(DataReaders.cacheFingerprint(listing));
        out.add(
                new Target(
                        "miniimagenet-cache",
                        b.array(),
                        dir.resolve("cache.u8"),
                        f -> DataReaders.cacheMatches(f, listing),
                        new int[][] {{8, 4, 0}, {12, 4, 0}, {16, 8, 0}}));
        return out;
    }
}

package arm.data;

import arm.replica.ImageResize;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * MiniImageNet-20 as the authors' code builds it (ALGORITHM.md §4.4), from the Ravi–Larochelle
 * split files: {@code train.csv}, {@code val.csv}, {@code test.csv} (a header line, then {@code
 * filename,wnid} lines, 600 images per class listed contiguously) and {@code images/}.
 *
 * <ol>
 *   <li>Labels by first appearance of each wnid within each CSV, offset by the earlier CSVs' class
 *       counts: train.csv → 0..63, val.csv → 64..79, test.csv → 80..99.
 *   <li>Per class, in CSV order: the first ⌊0.8·600⌋ = 480 images go to the train pool, the last
 *       120 to test (12,000).
 *   <li>Tasks of 5 classes (20 tasks). Per task, the pool of 2,400 is permuted and cut at
 *       ⌊2400·0.95⌋ = 2,280: train 45,600. Val (2,400) is the tail of a <em>second</em> permutation
 *       per task, drawn after all the training ones, as the authors' rebuilt dataset object does
 *       (§9 D11: about 95% of val images are training images); {@link Config#sharedValSplit} takes
 *       it from the same permutation instead. Permutations come from the run seed (the authors'
 *       torch.randperm stream is not replicated).
 *   <li>Stream: each task block, in its permuted order, 3 times back to back (num_iterations = 3):
 *       20 × 684 batches of N = 10, max_t = 13,680, T = 684. Stationary: one shuffled pass over the
 *       same 3 × 45,600 samples.
 * </ol>
 *
 * Images are decoded once (javax.imageio), resized and centre-cropped to 84×84 by {@link
 * ImageResize}, and kept as uint8 in a cache file ({@link MiniImageNetCache}); later loads read
 * only the cache.
 */
public final class MiniImageNet {
    public static final int SIZE = 84, ITEM_BYTES = 3 * SIZE * SIZE;
    public static final int[] ITEM_SHAPE = {3, SIZE, SIZE};
    public static final String[] CSVS = {"train.csv", "val.csv", "test.csv"};
    public static final String IMAGES = "images", CACHE_NAME = "arm-miniimagenet-84.u8";
    public static final String HOW_TO_GET =
            "MiniImageNet (Vinyals et al.; the Ravi & Larochelle split files train.csv, val.csv,"
                + " test.csv from"
                + " https://github.com/twitter/meta-learning-lstm/tree/master/data/miniImagenet,"
                + " and the 60,000 ImageNet images they name in images/); the authors' code points"
                + " to https://www.dropbox.com/s/ed1s1dgei9kxd2p/mini-imagenet.zip?dl=0 for the"
                + " whole folder";

    /** Mixed into the run seed for the data generator. */
    public static final long DATA_SALT = 0x6d696e69_696d6eL;

    private MiniImageNet() {}

    /**
     * @param numClasses K (100)
     * @param classesPerTask 5
     * @param trainTestFraction per-class train share of the CSV order (0.8)
     * @param trainValFraction per-task train share after the permutation (0.95)
     * @param batchSize N
     * @param taskRepeats num_iterations (3)
     * @param sharedValSplit val from the training permutation (disjoint) instead of a second one
     * @param stationary one shuffled pass instead of task blocks
     */
    public record Config(
            int numClasses,
            int classesPerTask,
            double trainTestFraction,
            double trainValFraction,
            int batchSize,
            int taskRepeats,
            boolean sharedValSplit,
            boolean stationary) {
        public Config withStationary(boolean s) {
            return new Config(
                    numClasses,
                    classesPerTask,
                    trainTestFraction,
                    trainValFraction,
                    batchSize,
                    taskRepeats,
                    sharedValSplit,
                    s);
        }

        public Config withSharedValSplit(boolean s) {
            return new Config(
                    numClasses,
                    classesPerTask,
                    trainTestFraction,
                    trainValFraction,
                    batchSize,
                    taskRepeats,
                    s,
                    stationary);
        }
    }

    public static final Config MINIIMAGENET_20 = new Config(100, 5, 0.8, 0.95, 10, 3, false, false);

    /** Every image the CSVs name, in CSV order (train, val, test), with its label. */
    public record Listing(Path root, List<String> files, int[] labels, int numClasses) {
        public Path image(int i) {
            return root.resolve(IMAGES).resolve(files.get(i));
        }
    }

    /** Indices into the listing: train pool in block order, stream into that pool, val, test. */
    public record Split(int[] train, int[] stream, int[] val, int[] test) {}

    // ------------------------------------------------------------ entry points

    /** Reads (decoding and caching on first use) and builds the paper's benchmark. */
    public static ContinualData load(Path dir, long seed) throws IOException {
        return load(dir, dir.resolve(CACHE_NAME), seed, MINIIMAGENET_20);
    }

    public static ContinualData load(Path dir, Path cache, long seed, Config cfg)
            throws IOException {
        Listing l = readListing(dir);
        if (l.numClasses() != cfg.numClasses())
            throw new DataFormatException(
                    dir,
                    "the CSVs name " + l.numClasses() + " classes, expected " + cfg.numClasses());
        Split s = split(l.labels(), l.numClasses(), seed, cfg);
        MiniImageNetCache images = MiniImageNetCache.openOrBuild(cache, l);
        return new ContinualData(
                images.dataset("miniimagenet train", s.train(), l.labels()),
                s.stream(),
                images.dataset("miniimagenet val", s.val(), l.labels()),
                images.dataset("miniimagenet test", s.test(), l.labels()),
                l.numClasses(),
                cfg.classesPerTask(),
                cfg.batchSize());
    }

    /** Every image of the listing, decoded (from the cache), in CSV order; shared by all runs. */
    public record Raw(Dataset all, int numClasses) {}

    /** Reads the CSVs and all images once (decoding into {@code cache} on first use). */
    public static Raw read(Path dir, Path cache) throws IOException {
        Listing l = readListing(dir);
        MiniImageNetCache images = MiniImageNetCache.openOrBuild(cache, l);
        return new Raw(
                images.dataset("miniimagenet", Cifar10.identity(l.files().size()), l.labels()),
                l.numClasses());
    }

    /** One run's benchmark from images already in memory (the per-run part is the val cut). */
    public static ContinualData build(Raw raw, long seed, Config cfg) {
        if (raw.numClasses() != cfg.numClasses())
            throw new IllegalArgumentException(
                    "the CSVs name " + raw.numClasses() + " classes, expected " + cfg.numClasses());
        Split s = split(raw.all().labels(), raw.numClasses(), seed, cfg);
        return new ContinualData(
                raw.all().subset("miniimagenet train", s.train()),
                s.stream(),
                raw.all().subset("miniimagenet val", s.val()),
                raw.all().subset("miniimagenet test", s.test()),
                raw.numClasses(),
                cfg.classesPerTask(),
                cfg.batchSize());
    }

    // ------------------------------------------------------------ CSVs

    public static Listing readListing(Path dir) throws IOException {
        if (!Files.isDirectory(dir))
            throw new MissingDataException(
                    "data folder "
                            + dir
                            + " does not exist; expected train.csv, val.csv, "
                            + "test.csv and images/ there: "
                            + HOW_TO_GET);
        List<String> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        int offset = 0;
        for (String csv : CSVS) {
            Path f = dir.resolve(csv);
            if (arm.io.RegularFile.present(f) && arm.io.RegularFile.problem(f) != null)
                throw new DataFormatException(f, arm.io.RegularFile.problem(f));
            if (!Files.isRegularFile(f))
                throw new MissingDataException(
                        "missing "
                                + f
                                + "; expected train.csv, val.csv, test.csv and "
                                + "images/ in "
                                + dir
                                + ": "
                                + HOW_TO_GET);
            Map<String, Integer> wnids = new LinkedHashMap<>();
            List<String> lines;
            if (Files.size(f) > 64L << 20)
                throw new DataFormatException(f, "more than 64 MB; not a MiniImageNet CSV");
            try {
                lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new DataFormatException(f, "not UTF-8 text");
            }
            for (int i = 1; i < lines.size(); i++) { // line 0 is the header
                String line = lines.get(i).strip();
                if (line.isEmpty()) continue;
                String[] parts = line.split(",");
                if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty())
                    throw new DataFormatException(
                            f,
                            "line "
                                    + (i + 1)
                                    + " is "
                                    + arm.io.FileFormatException.quote(line)
                                    + ", expected filename,wnid");
                Integer label = wnids.computeIfAbsent(parts[1], k -> wnids.size());
                files.add(parts[0]);
                labels.add(offset + label);
            }
            offset += wnids.size();
        }
        if (!Files.isDirectory(dir.resolve(IMAGES)))
            throw new MissingDataException(
                    "missing folder "
                            + dir.resolve(IMAGES)
                            + " of the images the CSVs name; "
                            + HOW_TO_GET);
        return new Listing(
                dir,
                List.copyOf(files),
                labels.stream().mapToInt(Integer::intValue).toArray(),
                offset);
    }

    // ------------------------------------------------------------ protocol

    /** The split and stream for labels in CSV order (see the class comment). */
    public static Split split(int[] labels, int numClasses, long seed, Config cfg) {
        int cpt = cfg.classesPerTask(), tasks = numClasses / cpt;
        if (numClasses % cpt != 0)
            throw new IllegalArgumentException(
                    numClasses + " classes do not split into tasks of " + cpt);
        int[][] byClass = byClass(labels, numClasses);
        int[][] pools = new int[tasks][];
        int[] test = new int[0];
        for (int t = 0; t < tasks; t++) {
            pools[t] = new int[0];
            for (int c = t * cpt; c < (t + 1) * cpt; c++) {
                int[] all = byClass[c];
                int cut = (int) (cfg.trainTestFraction() * all.length);
                pools[t] = concat(pools[t], Arrays.copyOf(all, cut));
                test = concat(test, Arrays.copyOfRange(all, cut, all.length));
            }
        }
        SplittableRandom rng = new SplittableRandom(seed ^ DATA_SALT);
        int[][] trainPerm = new int[tasks][], valPerm = new int[tasks][];
        for (int t = 0; t < tasks; t++) trainPerm[t] = permutation(rng, pools[t].length);
        for (int t = 0; t < tasks; t++)
            valPerm[t] = cfg.sharedValSplit() ? trainPerm[t] : permutation(rng, pools[t].length);

        int block = -1;
        int[] train = new int[0], val = new int[0];
        for (int t = 0; t < tasks; t++) {
            int n = pools[t].length, cut = (int) (n * cfg.trainValFraction());
            if (block >= 0 && cut != block)
                throw new IllegalArgumentException(
                        "task " + t + " has " + cut + " training samples, task 0 has " + block);
            block = cut;
            int[] tr = new int[cut], va = new int[n - cut];
            for (int i = 0; i < cut; i++) tr[i] = pools[t][trainPerm[t][i]];
            for (int i = cut; i < n; i++) va[i - cut] = pools[t][valPerm[t][i]];
            train = concat(train, tr);
            val = concat(val, va);
        }
        if ((long) block * cfg.taskRepeats() % cfg.batchSize() != 0)
            throw new IllegalArgumentException(
                    "a task block of "
                            + block
                            + " × "
                            + cfg.taskRepeats()
                            + " samples is not a whole number of batches of "
                            + cfg.batchSize());
        int[] stream =
                cfg.stationary()
                        ? Cifar10.stationaryStream(
                                train.length, cfg.taskRepeats(), seed ^ DATA_SALT)
                        : Cifar10.taskStream(tasks, block, cfg.taskRepeats());
        return new Split(train, stream, val, test);
    }

    static int[][] byClass(int[] labels, int numClasses) {
        int[] count = new int[numClasses];
        for (int y : labels) count[y]++;
        int[][] out = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) out[c] = new int[count[c]];
        int[] fill = new int[numClasses];
        for (int i = 0; i < labels.length; i++) out[labels[i]][fill[labels[i]]++] = i;
        return out;
    }

    static int[] permutation(SplittableRandom rng, int n) {
        int[] p = Cifar10.identity(n);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1), t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

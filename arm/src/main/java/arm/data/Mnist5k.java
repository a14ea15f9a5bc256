package arm.data;

import arm.nn.TorchRandom;
import arm.replica.NumpyRandom;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The MNIST-5k-5 continual benchmark exactly as the authors' code builds it (ALGORITHM.md §4.2):
 *
 * <ol>
 *   <li>Task k holds digits {2k, 2k+1}: class 2k's training samples in file order, then class
 *       2k+1's.
 *   <li>Per task, a random permutation; the first floor(n·0.95) permuted samples are the train
 *       pool, the rest are val.
 *   <li>Walk the permuted train pool in order and keep a sample while its class has fewer than 500
 *       kept: 1000 per task, 5000 in all, in random order within the task.
 *   <li>Val is the tail of a <em>second</em> permutation per task, drawn after the training ones
 *       (the authors rebuild the dataset object with an advanced generator, §9 D11), so about 8% of
 *       val images are also training images. {@link Config#sharedValSplit} uses one permutation for
 *       both instead (disjoint splits). Sizes: 3003 val (634, 605, 564, 610, 590 per task) either
 *       way.
 *   <li>Test is all 10,000 test images in file order.
 *   <li>Stream: the task blocks in task order, each in its permuted order (each block repeated
 *       {@link Config#taskRepeats} times); or, for the stationary baseline, one shuffled pass over
 *       the same samples.
 * </ol>
 *
 * <p>Step 3 leaves the end of each task block lopsided: the class with more samples in the pool
 * reaches 500 first, so the block's last batches hold the other class only (often the last 20–100
 * samples). {@link Stream} offers two alternatives, used to compare with the MIR authors' code,
 * whose loader draws a fresh uniformly shuffled subset per run (ALGORITHM.md §12.5; evidence in
 * docs/REPRODUCE.md "ER and ER-MIR").
 *
 * <p>Randomness: one {@link SplittableRandom} seeded from the run seed (XOR {@link #DATA_SALT}, so
 * that a method seeding its own generator with the run seed gets a different stream). Draw order:
 * the 5 training permutations, then the 5 val permutations (unless shared), then the block shuffles
 * ({@link Stream#SHUFFLED}), then the stationary shuffle. {@link #buildAuthors} instead replays the
 * authors' own draws from PyTorch's generator (their run ids then give their streams).
 */
public final class Mnist5k {

    /** Mixed into the run seed for the data generator. */
    public static final long DATA_SALT = 0x6d6e6973_74356bL;

    /** How each task's training samples are chosen and ordered. */
    public enum Stream {
        /** The ARM code (steps 2–3 above): 500 per class, in the truncated permuted order. */
        ARM,
        /** The same samples as {@link #ARM}, each task block shuffled, so no lopsided tail. */
        SHUFFLED,
        /**
         * The MIR code (data.py, er_main.py): per task, a permutation that is the same for every
         * run splits the pool into the first floor(n·0.95) (train pool) and the rest (val,
         * disjoint); each run then shuffles the train pool and takes its first cpt·perClass + N
         * samples. (Their loop takes batches while at most samples_per_task = 1000 have been
         * consumed, i.e. 101 batches, 1,010 samples, classes only about balanced.) Not reproduced:
         * the one sample of class 2k−1 that PyTorch ≤ 1.6's argmax puts into task k (ALGORITHM.md
         * §12.5).
         */
        MIR
    }

    /**
     * Parameters of the protocol; {@link #MNIST5K} is the paper's.
     *
     * @param classesPerTask task k = labels k·cpt … k·cpt+cpt−1
     * @param trainFraction the train share of each task (the cut is floor(n·fraction) in double)
     * @param perClass training samples kept per class
     * @param batchSize N
     * @param taskRepeats times each task block is repeated back to back (num_iterations)
     * @param sharedValSplit val from the training permutation (disjoint) instead of a second one
     * @param stationary one shuffled pass instead of task blocks
     * @param stream how each task's samples are chosen and ordered ({@link Stream#MIR} ignores
     *     {@code sharedValSplit}: its split is its own)
     */
    public record Config(
            int classesPerTask,
            double trainFraction,
            int perClass,
            int batchSize,
            int taskRepeats,
            boolean sharedValSplit,
            boolean stationary,
            Stream stream) {

        public Config(
                int classesPerTask,
                double trainFraction,
                int perClass,
                int batchSize,
                int taskRepeats,
                boolean sharedValSplit,
                boolean stationary) {
            this(
                    classesPerTask,
                    trainFraction,
                    perClass,
                    batchSize,
                    taskRepeats,
                    sharedValSplit,
                    stationary,
                    Stream.ARM);
        }

        public Config {
            if (classesPerTask <= 0)
                throw new IllegalArgumentException("classesPerTask " + classesPerTask);
            if (!(trainFraction > 0 && trainFraction < 1))
                throw new IllegalArgumentException(
                        "trainFraction " + trainFraction + " not in (0, 1)");
            if (perClass <= 0) throw new IllegalArgumentException("perClass " + perClass);
            if (batchSize <= 0) throw new IllegalArgumentException("batchSize " + batchSize);
            if (taskRepeats <= 0) throw new IllegalArgumentException("taskRepeats " + taskRepeats);
            if (stream == null) throw new IllegalArgumentException("stream is null");
        }

        public Config withSharedValSplit(boolean shared) {
            return new Config(
                    classesPerTask,
                    trainFraction,
                    perClass,
                    batchSize,
                    taskRepeats,
                    shared,
                    stationary,
                    stream);
        }

        public Config withStationary(boolean s) {
            return new Config(
                    classesPerTask,
                    trainFraction,
                    perClass,
                    batchSize,
                    taskRepeats,
                    sharedValSplit,
                    s,
                    stream);
        }

        public Config withStream(Stream s) {
            return new Config(
                    classesPerTask,
                    trainFraction,
                    perClass,
                    batchSize,
                    taskRepeats,
                    sharedValSplit,
                    stationary,
                    s);
        }

        /** Training samples per task: cpt·perClass, or for {@link Stream#MIR} one batch more. */
        public int samplesPerTask() {
            return classesPerTask * perClass + (stream == Stream.MIR ? batchSize : 0);
        }
    }

    public static final Config MNIST5K = new Config(2, 0.95, 500, 10, 1, false, false);

    private Mnist5k() {}

    /** Reads MNIST from {@code dir} and builds the paper's benchmark for one run. */
    public static ContinualData load(Path dir, long seed) throws IOException {
        Mnist.Raw raw = Mnist.load(dir);
        return build(raw.train(), raw.test(), Mnist.NUM_CLASSES, seed, MNIST5K);
    }

    /**
     * Builds the benchmark from a full training set and a test set.
     *
     * @param train every training sample (labels in 0..numClasses−1); not modified
     * @param test used as is
     * @param numClasses K, a multiple of {@code cfg.classesPerTask()}
     */
    public static ContinualData build(
            Dataset train, Dataset test, int numClasses, long seed, Config cfg) {
        int cpt = cfg.classesPerTask();
        if (numClasses % cpt != 0)
            throw new IllegalArgumentException(
                    numClasses + " classes do not split into tasks of " + cpt);
        int tasks = numClasses / cpt;
        int[][] pools = taskPools(train, numClasses, cpt);
        SplittableRandom rng = new SplittableRandom(seed ^ DATA_SALT);
        boolean mir = cfg.stream() == Stream.MIR;
        // MIR: their split runs once under seed 0, so it is the same for every run; train and val
        // share it
        SplittableRandom splitRng = mir ? new SplittableRandom(DATA_SALT) : rng;

        int[][] trainPerm = new int[tasks][];
        for (int k = 0; k < tasks; k++) trainPerm[k] = permutation(splitRng, pools[k].length);
        int[][] valPerm = new int[tasks][];
        for (int k = 0; k < tasks; k++)
            valPerm[k] =
                    cfg.sharedValSplit() || mir ? trainPerm[k] : permutation(rng, pools[k].length);

        int[][] keptAndVal = keepAndVal(train, pools, trainPerm, valPerm, cfg, rng);
        int[] stream = taskStream(tasks, cfg);
        if (cfg.stationary()) shuffle(rng, stream);
        return assemble(train, test, numClasses, cfg, keptAndVal, stream);
    }

    /**
     * The benchmark as the authors' code builds it for run id {@code runId}, draw for draw
     * (ALGORITHM.md §4.1–4.2): PyTorch's generator seeded with the run id first initialises the
     * model ({@code initDraws} outputs, skipped here), then the train, val and test dataset objects
     * each draw one randperm per task of the <em>training</em> pools, in that order (each object
     * redoes the whole split and keeps its part; val keeps the tail of its own permutations). The
     * stationary stream is numpy's permutation (seed 0) of the kept samples, read in the order of
     * the shuffling DataLoader's randperm: its generator is seeded by the second of two int64 draws
     * (the loader's base seed, then the sampler's seed). Only the paper's {@link Stream#ARM} stream
     * and one pass exist in their code.
     */
    public static ContinualData buildAuthors(
            Dataset train, Dataset test, int numClasses, long runId, long initDraws, Config cfg) {
        if (cfg.stream() != Stream.ARM || cfg.taskRepeats() != 1)
            throw new IllegalArgumentException(
                    "the authors' streams exist for their own protocol only"
                            + " (stream ARM, one pass), not stream "
                            + cfg.stream()
                            + " × "
                            + cfg.taskRepeats());
        int cpt = cfg.classesPerTask(), tasks = numClasses / cpt;
        int[][] pools = taskPools(train, numClasses, cpt);
        TorchRandom g = new TorchRandom(runId);
        g.skip(initDraws);
        int[][] trainPerm = new int[tasks][], valPerm = new int[tasks][];
        for (int k = 0; k < tasks; k++) trainPerm[k] = g.randperm(pools[k].length);
        for (int k = 0; k < tasks; k++) valPerm[k] = g.randperm(pools[k].length);
        if (cfg.sharedValSplit()) valPerm = trainPerm;
        for (int[] pool : pools)
            g.randperm(pool.length); // the test object's (it also cuts the training pools)
        int[][] keptAndVal = keepAndVal(train, pools, trainPerm, valPerm, cfg, null);
        int[] stream = taskStream(tasks, cfg);
        if (cfg.stationary()) {
            int[] datasetOrder =
                    new NumpyRandom(0).permutation(stream.length); // the train object's own shuffle
            g.randomInt64(); // the DataLoader iterator's base seed
            int[] loaderOrder = new TorchRandom(g.randomInt64()).randperm(stream.length);
            for (int i = 0; i < stream.length; i++) stream[i] = datasetOrder[loaderOrder[i]];
        }
        return assemble(train, test, numClasses, cfg, keptAndVal, stream);
    }

    /** Steps 3–4 for every task: {kept training samples, task blocks in order; val indices}. */
    private static int[][] keepAndVal(
            Dataset train,
            int[][] pools,
            int[][] trainPerm,
            int[][] valPerm,
            Config cfg,
            SplittableRandom rng) {
        int tasks = pools.length, cpt = cfg.classesPerTask();
        boolean mir = cfg.stream() == Stream.MIR;
        int blockSize = cfg.samplesPerTask();
        if (blockSize * cfg.taskRepeats() % cfg.batchSize() != 0)
            throw new IllegalArgumentException(
                    "a task block of "
                            + blockSize
                            + " × "
                            + cfg.taskRepeats()
                            + " samples is not a whole number of batches of "
                            + cfg.batchSize());
        int[] kept = new int[tasks * blockSize];
        int[] valIdx = new int[0];
        for (int k = 0; k < tasks; k++) {
            int n = pools[k].length;
            int cut = (int) Math.floor(n * cfg.trainFraction());
            int[] chosen =
                    mir
                            ? uniformSubset(train, pools[k], trainPerm[k], cut, k, blockSize, rng)
                            : truncate(train, pools[k], trainPerm[k], cut, k, cpt, cfg.perClass());
            if (cfg.stream() == Stream.SHUFFLED) shuffle(rng, chosen); // no lopsided tail
            System.arraycopy(chosen, 0, kept, k * blockSize, blockSize);
            int[] tail = new int[n - cut];
            for (int i = cut; i < n; i++) tail[i - cut] = pools[k][valPerm[k][i]];
            valIdx = concat(valIdx, tail);
        }
        return new int[][] {kept, valIdx};
    }

    /** Positions in the kept samples: the task blocks in task order, each repeated back to back. */
    private static int[] taskStream(int tasks, Config cfg) {
        int blockSize = cfg.samplesPerTask();
        int[] stream = new int[tasks * blockSize * cfg.taskRepeats()];
        int pos = 0;
        for (int k = 0; k < tasks; k++)
            for (int r = 0; r < cfg.taskRepeats(); r++)
                for (int i = 0; i < blockSize; i++) stream[pos++] = k * blockSize + i;
        return stream;
    }

    private static ContinualData assemble(
            Dataset train,
            Dataset test,
            int numClasses,
            Config cfg,
            int[][] keptAndVal,
            int[] stream) {
        int cpt = cfg.classesPerTask();
        String base = cpt == 2 && numClasses == 10 ? "mnist5k" : "continual";
        return new ContinualData(
                train.subset(base + " train", keptAndVal[0]),
                stream,
                train.subset(base + " val", keptAndVal[1]),
                test,
                numClasses,
                cpt,
                cfg.batchSize());
    }

    /** Per task, the indices of its classes' samples: class k·cpt in file order, then the next. */
    static int[][] taskPools(Dataset train, int numClasses, int cpt) {
        int[] count = new int[numClasses];
        for (int y : train.labels()) {
            if (y < 0 || y >= numClasses)
                throw new IllegalArgumentException(
                        train.name() + ": label " + y + " outside 0.." + (numClasses - 1));
            count[y]++;
        }
        int[][] byClass = new int[numClasses][];
        for (int c = 0; c < numClasses; c++) byClass[c] = new int[count[c]];
        int[] fill = new int[numClasses];
        for (int i = 0; i < train.size(); i++) {
            int y = train.labels()[i];
            byClass[y][fill[y]++] = i;
        }
        int[][] pools = new int[numClasses / cpt][];
        for (int k = 0; k < pools.length; k++) {
            pools[k] = new int[0];
            for (int c = k * cpt; c < (k + 1) * cpt; c++) pools[k] = concat(pools[k], byClass[c]);
        }
        return pools;
    }

    /** The first {@code perClass} samples of each class in perm[0 .. cut), in permuted order. */
    private static int[] truncate(
            Dataset train, int[] pool, int[] perm, int cut, int task, int cpt, int perClass) {
        int[] out = new int[cpt * perClass];
        int[] have = new int[cpt];
        int n = 0;
        for (int i = 0; i < cut && n < out.length; i++) {
            int idx = pool[perm[i]];
            int c = train.labels()[idx] - task * cpt;
            if (have[c] < perClass) {
                have[c]++;
                out[n++] = idx;
            }
        }
        for (int c = 0; c < cpt; c++)
            if (have[c] < perClass)
                throw new IllegalArgumentException(
                        train.name()
                                + ": class "
                                + (task * cpt + c)
                                + " has only "
                                + have[c]
                                + " samples in task "
                                + task
                                + "'s train cut, "
                                + perClass
                                + " needed");
        return out;
    }

    /**
     * {@link Stream#MIR}: the train pool perm[0 .. cut) shuffled with this run's generator, its
     * first {@code size} samples (a uniformly random subset in uniformly random order, as their
     * shuffling DataLoader gives).
     */
    private static int[] uniformSubset(
            Dataset train,
            int[] pool,
            int[] perm,
            int cut,
            int task,
            int size,
            SplittableRandom rng) {
        if (cut < size)
            throw new IllegalArgumentException(
                    train.name()
                            + ": task "
                            + task
                            + "'s train cut holds "
                            + cut
                            + " samples, "
                            + size
                            + " needed");
        int[] out = new int[cut];
        for (int i = 0; i < cut; i++) out[i] = pool[perm[i]];
        shuffle(rng, out);
        return Arrays.copyOf(out, size);
    }

    /** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
    static int[] permutation(SplittableRandom rng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        shuffle(rng, p);
        return p;
    }

    static void shuffle(SplittableRandom rng, int[] a) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int tmp = a[i];
            a[i] = a[j];
            a[j] = tmp;
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
